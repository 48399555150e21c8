import { JobPatch } from '../database/DatabaseJobStore';

/**
 * What the training code announced in its log (runtime/src/mlops_runtime/progress.py): JSON
 * objects, one per line, whose `kind` is `mlops.run_started`, `mlops.progress`, `mlops.result` or
 * `mlops.error` (a line `mlops.<kind> {...}`, marker then JSON, is read too).
 */
export type MlopsLogEvents = {
  patch: Omit<JobPatch, 'reason' | 'started' | 'finished'>;
  error?: string;
};

const MARKED = /\bmlops\.([a-z_]+)\s*[:=]?\s*(\{.*\})\s*$/;

type Json = Record<string, unknown>;

function pick(obj: Json, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'string' && value) return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function parseLine(line: string): { kind: string; body: Json } | undefined {
  if (!line.includes('mlops.')) return undefined;
  try {
    const trimmed = line.trim();
    if (trimmed.startsWith('{')) {
      const body = JSON.parse(trimmed) as Json;
      const kind = pick(body, 'kind', 'event', 'type');
      return kind?.startsWith('mlops.')
        ? { kind: kind.slice('mlops.'.length), body }
        : undefined;
    }
    const marked = MARKED.exec(line);
    if (marked) {
      return { kind: marked[1], body: JSON.parse(marked[2]) };
    }
  } catch {
    // Not JSON after all: an ordinary log line.
  }
  return undefined;
}

export function parseMlopsEvents(logs: string): MlopsLogEvents {
  const patch: MlopsLogEvents['patch'] = {};
  let error: string | undefined;
  for (const line of logs.split('\n')) {
    const event = parseLine(line);
    if (!event) continue;
    const { kind, body } = event;
    const runId = pick(body, 'mlflow_run_id', 'mlflowRunId', 'run_id', 'runId');
    if (runId) patch.mlflowRunId = runId;
    const experimentId = pick(
      body,
      'mlflow_experiment_id',
      'mlflowExperimentId',
      'experiment_id',
      'experimentId',
    );
    if (experimentId) patch.mlflowExperimentId = experimentId;
    const model = (body.registered_model ?? body.registeredModel) as
      | Json
      | undefined;
    const name = model ? pick(model, 'name') : pick(body, 'model_name');
    const version = model
      ? pick(model, 'version')
      : pick(body, 'model_version');
    if (name && version) patch.registeredModel = { name, version };
    if (kind === 'error') {
      const reason = pick(body, 'reason');
      const message = pick(body, 'message', 'error');
      error =
        reason && message && !message.startsWith(reason)
          ? `${reason}: ${message}`
          : message ?? reason ?? JSON.stringify(body);
    }
  }
  return { patch, error };
}

const OUT_OF_MEMORY =
  /OutOfMemoryError|out of memory|MemoryError|OOM(?:-)?kill|Killed\s*$/i;

/**
 * Why a Ray job failed, in words a user understands: the training code's own `mlops.error`, an
 * out-of-memory kill, else the last lines of its log (the end of a traceback), else Ray's message.
 */
export function failureReason(logs: string, rayMessage?: string): string {
  const { error } = parseMlopsEvents(logs);
  if (error) return truncate(error);
  const lines = logs
    .split('\n')
    .map(l => l.trimEnd())
    .filter(l => l.trim() && !parseLine(l));
  const memoryLine = [...lines].reverse().find(l => OUT_OF_MEMORY.test(l));
  if (memoryLine || (rayMessage && OUT_OF_MEMORY.test(rayMessage))) {
    return truncate(
      `worker ran out of memory: ${(memoryLine ?? rayMessage)!.trim()}`,
    );
  }
  if (lines.length > 0) {
    return truncate(`training failed:\n${lines.slice(-5).join('\n')}`);
  }
  return truncate(`training failed: ${rayMessage ?? 'Ray gave no reason'}`);
}

function truncate(text: string, max = 2000) {
  return text.length > max ? `…${text.slice(text.length - max)}` : text;
}
