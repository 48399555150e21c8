import { RequestLabel } from '@internal/backstage-plugin-drift-common';
import { countOf } from '../formatValues';

/** The most label lines read at once. */
export const MAX_LABEL_LINES = 10_000;

/** The API's limits on a request id, a label and the labels of one request. */
const MAX_ID_LENGTH = 128;
const MAX_LABEL_LENGTH = 128;
const MAX_LABELS_PER_REQUEST = 256;

/** An optional first line naming the columns: "requestId,label", "request_id,labels", "id,label". */
const HEADER = /^\s*"?(request[ _-]?id|id)"?\s*,\s*"?labels?"?\s*$/i;

/** What a CSV text of labels holds: the labels to send, or what is wrong with its lines. */
export type ParsedLabels = {
  labels: RequestLabel[];
  problems: string[];
};

const unquote = (field: string) => field.trim().replace(/^"(.*)"$/, '$1');

/** One line "requestId,label" (batched: "abc123,7;1"): its label, or what is wrong with it. */
function parseLine(line: string, lineNumber: number): RequestLabel | string {
  const fields = line.split(',');
  if (fields.length > 2) {
    return `Line ${lineNumber}: one comma expected, between the request id and its label (separate the labels of a batched request with ";" or "|")`;
  }
  const requestId = unquote(fields[0]);
  if (!requestId) return `Line ${lineNumber}: no request id`;
  if (requestId.length > MAX_ID_LENGTH) {
    return `Line ${lineNumber}: the request id is longer than ${MAX_ID_LENGTH} characters`;
  }
  const text = unquote(fields[1] ?? '');
  if (!text) return `Line ${lineNumber}: no label for request ${requestId}`;
  const labels = text.split(/[;|]/).map(label => label.trim());
  if (labels.some(label => !label)) {
    return `Line ${lineNumber}: an empty label in "${text}"`;
  }
  if (labels.some(label => label.length > MAX_LABEL_LENGTH)) {
    return `Line ${lineNumber}: a label is longer than ${MAX_LABEL_LENGTH} characters`;
  }
  if (labels.length > MAX_LABELS_PER_REQUEST) {
    return `Line ${lineNumber}: more than ${MAX_LABELS_PER_REQUEST} labels for one request`;
  }
  return { requestId, label: labels.length === 1 ? labels[0] : labels };
}

/**
 * Reads lines "requestId,label" (a header line is optional; empty lines are skipped). The labels
 * of a batched request, one per input in order, are separated by ";" or "|". A request named twice
 * keeps its last label, as the backend does.
 */
export function parseLabelsCsv(text: string): ParsedLabels {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, index) => ({ line, lineNumber: index + 1 }))
    .filter(({ line }) => line.trim() !== '');
  if (lines.length > 0 && HEADER.test(lines[0].line)) lines.shift();
  if (lines.length > MAX_LABEL_LINES) {
    return {
      labels: [],
      problems: [
        `${countOf(lines.length, 'line')}: at most ${countOf(
          MAX_LABEL_LINES,
          'line',
        )} at a time`,
      ],
    };
  }
  const byRequest = new Map<string, RequestLabel>();
  const problems: string[] = [];
  for (const { line, lineNumber } of lines) {
    const parsed = parseLine(line, lineNumber);
    if (typeof parsed === 'string') {
      problems.push(parsed);
    } else {
      byRequest.delete(parsed.requestId);
      byRequest.set(parsed.requestId, parsed);
    }
  }
  return { labels: problems.length ? [] : [...byRequest.values()], problems };
}

/** `items` in consecutive slices of at most `size`. */
export function inChunks<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let first = 0; first < items.length; first += size) {
    chunks.push(items.slice(first, first + size));
  }
  return chunks;
}
