import { ResponseError } from '@backstage/errors';

/** Fields of the form outside the hyperparameters that the backend may name. */
export type RunField =
  | 'name'
  | 'datasetId'
  | 'templateId'
  | 'seed'
  | 'numWorkers'
  | 'cpusPerWorker'
  | 'useGpu'
  | 'cluster';

const RUN_FIELDS: readonly string[] = [
  'name',
  'datasetId',
  'templateId',
  'seed',
  'numWorkers',
  'cpusPerWorker',
  'useGpu',
  'cluster',
];

/** What a rejected submission said, sorted to the fields it names. */
export type SubmissionProblems = {
  message: string;
  hyperparameters: Record<string, string[]>;
  fields: Partial<Record<RunField, string[]>>;
};

function add(
  problems: SubmissionProblems,
  rawPath: string,
  message: string,
): boolean {
  const path = rawPath
    .replace(/^\/?(request\/)?body\//, '')
    .replace(/^\//, '')
    .replace(/\//g, '.');
  const [head, key] = path.split('.');
  if (head === 'hyperparameters' && key) {
    (problems.hyperparameters[key] ??= []).push(message);
    return true;
  }
  const field = head === 'resources' ? key : head;
  if (field && RUN_FIELDS.includes(field)) {
    (problems.fields[field as RunField] ??= []).push(message);
    return true;
  }
  return false;
}

/** `{ "hyperparameters.epochs": "must be at most 50" }` or `[{ field, message }]`. */
function addStructured(problems: SubmissionProblems, fields: unknown) {
  if (Array.isArray(fields)) {
    for (const entry of fields) {
      const path = entry?.field ?? entry?.path ?? entry?.instancePath;
      if (typeof path === 'string' && typeof entry?.message === 'string') {
        add(problems, path, entry.message);
      }
    }
  } else if (fields && typeof fields === 'object') {
    for (const [path, messages] of Object.entries(fields)) {
      for (const message of [messages].flat()) {
        if (typeof message === 'string') add(problems, path, message);
      }
    }
  }
}

const NAMED_PROBLEM =
  /((?:\/?body\/)?(?:hyperparameters|resources)[./][A-Za-z0-9_]+|\b(?:seed|datasetId|templateId|cluster|numWorkers|cpusPerWorker|useGpu)\b)['"`]?:?\s+(.+)/;

/** "…: hyperparameters.epochs must be at most 50; seed must be a whole number" */
function addFromMessage(problems: SubmissionProblems, message: string) {
  for (const part of message.split(/;\s*|\n/)) {
    const match = NAMED_PROBLEM.exec(part);
    if (match) add(problems, match[1], match[2].trim());
  }
}

/**
 * Reads a failed `POST /jobs`: the backend's message for an alert, and each field's messages,
 * from a `fields`/`details` list on the error when it sends one, else from the message text.
 */
export function submissionProblems(error: Error): SubmissionProblems {
  const problems: SubmissionProblems = {
    message: error.message,
    hyperparameters: {},
    fields: {},
  };
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const body = (error as ResponseError).body;
    const serialized = body?.error as Record<string, unknown> | undefined;
    if (serialized?.message) problems.message = String(serialized.message);
    addStructured(problems, serialized?.fields ?? serialized?.details);
  }
  const found =
    Object.keys(problems.hyperparameters).length +
    Object.keys(problems.fields).length;
  if (found === 0) addFromMessage(problems, problems.message);
  return problems;
}
