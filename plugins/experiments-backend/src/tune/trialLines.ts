import {
  bestTrialValue,
  ResolvedAutoTune,
  TuneTrial,
  TuneTrialEpoch,
  TuneTrialState,
} from '@internal/backstage-plugin-experiments-common';
import { JsonValue } from '@backstage/types';

/** A trial as the tune's log tells it; the store adds the job id and time. */
export type TrialReport = Omit<TuneTrial, 'jobId' | 'updatedAt'>;

const STATES: TuneTrialState[] = ['RUNNING', 'SUCCEEDED', 'STOPPED', 'FAILED'];

type Line = Record<string, unknown>;

/** The `mlops.trial` and `mlops.result` objects of a log, in order. */
function tuneLines(logs: string): Line[] {
  const lines: Line[] = [];
  for (const raw of logs.split('\n')) {
    const text = raw.trim();
    if (!text.startsWith('{') || !text.includes('"mlops.')) continue;
    try {
      const line = JSON.parse(text) as Line;
      if (line.kind === 'mlops.trial' || line.kind === 'mlops.result') {
        lines.push(line);
      }
    } catch {
      // An ordinary log line that happens to start with a brace.
    }
  }
  return lines;
}

function numbers(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => typeof v === 'number'),
  ) as Record<string, number>;
}

function object(value: unknown): Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, JsonValue>)
    : {};
}

/**
 * The trials of a tune from its log (runtime/src/mlops_runtime/tune_tracking.py prints a line as a
 * trial starts, reports an epoch and ends): the latest state of each, its epochs, and which is
 * best: the tune's `bestTrialId` once it printed its result, else the best metric so far.
 */
export function trialsFromLog(
  logs: string,
  autoTune: Pick<ResolvedAutoTune, 'metric' | 'mode'>,
): TrialReport[] {
  const trials = new Map<string, TrialReport>();
  let bestTrialId: string | undefined;
  for (const line of tuneLines(logs)) {
    if (line.kind === 'mlops.result') {
      if (typeof line.bestTrialId === 'string') bestTrialId = line.bestTrialId;
      continue;
    }
    const trialId = line.trialId;
    const state = line.state as TuneTrialState;
    if (typeof trialId !== 'string' || !trialId || !STATES.includes(state)) {
      continue;
    }
    const previous = trials.get(trialId);
    const history = new Map<number, TuneTrialEpoch>(
      (previous?.history ?? []).map(e => [e.epoch, e]),
    );
    const metrics = numbers(line.metrics);
    const epoch = Number(line.epoch);
    if (Number.isInteger(epoch) && epoch > 0 && Object.keys(metrics).length) {
      history.set(epoch, {
        epoch,
        elapsedSeconds: Number(line.elapsedSeconds) || 0,
        metrics,
      });
    }
    trials.set(trialId, {
      trialId,
      state,
      config: object(line.config),
      hyperparameters: object(line.hyperparameters),
      seed: Number(line.seed) || 0,
      metrics: Object.keys(metrics).length ? metrics : previous?.metrics ?? {},
      history: [...history.values()].sort((a, b) => a.epoch - b.epoch),
      best: false,
      mlflowRunId:
        typeof line.mlflowRunId === 'string' ? line.mlflowRunId : undefined,
      error: typeof line.error === 'string' ? line.error : previous?.error,
    });
  }
  const all = [...trials.values()];
  if (!bestTrialId) {
    let best: number | undefined;
    for (const trial of all) {
      const value = bestTrialValue(trial, autoTune);
      if (
        value !== undefined &&
        (best === undefined ||
          (autoTune.mode === 'max' ? value > best : value < best))
      ) {
        best = value;
        bestTrialId = trial.trialId;
      }
    }
  }
  return all.map(trial => ({ ...trial, best: trial.trialId === bestTrialId }));
}
