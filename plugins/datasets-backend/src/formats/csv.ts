import { InputError } from '@backstage/errors';
import { Readable } from 'node:stream';

const MAX_FIELD_CHARS = 1024 * 1024;

/** One CSV record and the line it starts on (1-based). */
export type CsvRecord = { line: number; fields: string[] };

/**
 * Parses CSV (RFC 4180: comma separated, double-quoted fields with "" escapes and embedded line
 * breaks, LF or CRLF line ends) record by record from a stream. Blank lines are skipped.
 */
export async function* parseCsv(
  name: string,
  stream: Readable,
): AsyncGenerator<CsvRecord> {
  const problem = (line: number, message: string) =>
    new InputError(`CSV file '${name}': line ${line}: ${message}`);
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let pendingCR = false;
  const endRecord = () => {
    fields.push(field);
    const record = { line: recordLine, fields };
    fields = [];
    field = '';
    afterQuote = false;
    return record;
  };
  const isBlank = (record: CsvRecord) =>
    record.fields.length === 1 && record.fields[0] === '';

  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (pendingCR) {
        pendingCR = false;
        if (c === '\n') continue;
      }
      if (c === '\0') {
        throw problem(line, 'contains a NUL byte; this is not a text file');
      }
      if (quoted) {
        if (c === '"') {
          if (chunk[i + 1] === undefined) {
            // The closing quote or an escaped quote may straddle chunks: decide on the next char.
            quoted = false;
            afterQuote = true;
          } else if (chunk[i + 1] === '"') {
            field += '"';
            i++;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c === '\n') line++;
          field += c;
        }
      } else if (c === '"') {
        if (afterQuote) {
          // `"a""b"` split across chunks: the quote after a closing quote is an escaped quote.
          field += '"';
          quoted = true;
          afterQuote = false;
        } else if (field !== '') {
          throw problem(line, `a quote inside the unquoted field '${field}'`);
        } else {
          quoted = true;
        }
      } else if (c === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (c === '\n' || c === '\r') {
        const record = endRecord();
        if (!isBlank(record)) yield record;
        line++;
        recordLine = line;
        pendingCR = c === '\r';
      } else {
        if (afterQuote) {
          throw problem(line, 'text after a closing quote');
        }
        field += c;
      }
      if (field.length > MAX_FIELD_CHARS) {
        throw problem(
          line,
          `a field longer than ${MAX_FIELD_CHARS} characters`,
        );
      }
    }
  }
  if (quoted) {
    throw problem(recordLine, 'a quoted field is never closed');
  }
  const last = endRecord();
  if (!isBlank(last)) yield last;
}

/**
 * Reads a CSV file's header and checks every record has as many fields as the header.
 * Calls `onRow` for each data record; returns the header and the number of data rows.
 */
export async function readCsv(
  name: string,
  stream: Readable,
  onRow: (fields: string[]) => void | 'stop' = () => {},
  onHeader: (header: string[]) => void = () => {},
): Promise<{ header: string[]; rowCount: number }> {
  let header: string[] | undefined;
  let rowCount = 0;
  for await (const record of parseCsv(name, stream)) {
    if (!header) {
      header = record.fields.map(f => f.trim());
      const seen = new Set<string>();
      header.forEach((column, index) => {
        if (!column) {
          throw new InputError(
            `CSV file '${name}': line ${record.line}: column ${
              index + 1
            } of the header has no name`,
          );
        }
        if (seen.has(column)) {
          throw new InputError(
            `CSV file '${name}': line ${record.line}: the header names column '${column}' twice`,
          );
        }
        seen.add(column);
      });
      onHeader(header);
      continue;
    }
    if (record.fields.length !== header.length) {
      throw new InputError(
        `CSV file '${name}': line ${record.line} has ${record.fields.length} fields, the header has ${header.length}`,
      );
    }
    rowCount++;
    if (onRow(record.fields) === 'stop') {
      stream.destroy();
      break;
    }
  }
  if (!header) {
    throw new InputError(`CSV file '${name}' is empty: it needs a header line`);
  }
  return { header, rowCount };
}
