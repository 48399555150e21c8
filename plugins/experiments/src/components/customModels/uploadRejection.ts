import { ResponseError } from '@backstage/errors';
import { CustomModelProblem } from '@internal/backstage-plugin-experiments-common';

/** Why an upload was refused: the backend's summary and each problem it names. */
export type UploadRejection = {
  summary: string;
  problems: CustomModelProblem[];
};

/** The prefixes of the backend's 400 messages that list problems joined by "; ". */
const PROBLEM_LISTS = [
  /^(.*does not implement the interface): (.+)$/s,
  /^(Invalid custom model): (.+)$/s,
];
const LINE = /\bline (\d+)\b/;

function isProblem(value: unknown): value is CustomModelProblem {
  const problem = value as CustomModelProblem | undefined;
  return (
    typeof problem?.code === 'string' && typeof problem.message === 'string'
  );
}

function fromMessage(message: string): UploadRejection {
  for (const list of PROBLEM_LISTS) {
    const match = list.exec(message);
    if (match) {
      return {
        summary: match[1],
        problems: match[2]
          .split(/;\s+/)
          .map(part => ({ code: 'problem', message: part })),
      };
    }
  }
  return { summary: message, problems: [] };
}

/**
 * Reads a failed `POST /custom-models`: a `problems` list on the error when the backend sends
 * one, else the problems its message lists (a check's rejection, invalid fields); any other
 * refusal (taken name, not a member, Ray unavailable) is a summary without problems.
 */
export function uploadRejection(error: Error): UploadRejection {
  let message = error.message;
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const serialized = (error as ResponseError).body?.error;
    if (serialized?.message) message = String(serialized.message);
    const problems = serialized?.problems;
    if (Array.isArray(problems) && problems.every(isProblem)) {
      return { summary: fromMessage(message).summary, problems };
    }
  }
  return fromMessage(message);
}

/** The line a problem is at, from its `line` or its message ("line 3: invalid syntax"). */
export function problemLine(problem: CustomModelProblem): number | undefined {
  if (problem.line) return problem.line;
  const match = LINE.exec(problem.message);
  return match ? Number(match[1]) : undefined;
}

/** A problem's message without a leading "line N: ", which the line label already says. */
export function problemText(problem: CustomModelProblem): string {
  return problem.message.replace(/^line \d+:\s*/, '');
}
