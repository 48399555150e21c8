import { TuneTrial } from '@internal/backstage-plugin-experiments-common';
import { Knex } from 'knex';
import { TrialReport } from './trialLines';

const TRIALS = 'training_job_trials';

type Timestamp = Date | string | number;

type TrialRow = {
  job_id: string;
  trial_id: string;
  state: string;
  config: string;
  hyperparameters: string;
  seed: number | string;
  metrics: string;
  history: string;
  best: boolean | number;
  mlflow_run_id: string | null;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

/** The columns a report sets; compared with a stored row to skip trials that did not change. */
function columns(report: TrialReport) {
  return {
    state: report.state,
    config: JSON.stringify(report.config),
    hyperparameters: JSON.stringify(report.hyperparameters),
    seed: report.seed,
    metrics: JSON.stringify(report.metrics),
    history: JSON.stringify(report.history),
    best: report.best,
    mlflow_run_id: report.mlflowRunId ?? null,
    error: report.error ?? null,
  };
}

function unchanged(row: TrialRow, next: ReturnType<typeof columns>) {
  return (
    row.state === next.state &&
    row.config === next.config &&
    row.hyperparameters === next.hyperparameters &&
    Number(row.seed) === next.seed &&
    row.metrics === next.metrics &&
    row.history === next.history &&
    Boolean(row.best) === next.best &&
    row.mlflow_run_id === next.mlflow_run_id &&
    row.error === next.error
  );
}

function toTrial(row: TrialRow): TuneTrial {
  return {
    jobId: row.job_id,
    trialId: row.trial_id,
    state: row.state as TuneTrial['state'],
    config: JSON.parse(row.config),
    hyperparameters: JSON.parse(row.hyperparameters),
    seed: Number(row.seed),
    metrics: JSON.parse(row.metrics),
    history: JSON.parse(row.history),
    best: Boolean(row.best),
    mlflowRunId: row.mlflow_run_id ?? undefined,
    error: row.error ?? undefined,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Trials of auto-tune jobs (table `training_job_trials`, in the jobs' database). */
export class TrialStore {
  constructor(private readonly knex: Knex) {}

  /** A job's trials in the order they started. */
  async list(jobId: string): Promise<TuneTrial[]> {
    const rows = await this.knex<TrialRow>(TRIALS)
      .where('job_id', jobId)
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'trial_id', order: 'asc' },
      ]);
    return rows.map(toTrial);
  }

  /**
   * Writes the trials of a job as its log now tells them; rows that did not change are left
   * alone. Returns how many rows were written.
   */
  async record(jobId: string, reports: TrialReport[]): Promise<number> {
    if (reports.length === 0) return 0;
    return this.knex.transaction(async trx => {
      const stored = new Map(
        (await trx<TrialRow>(TRIALS).where('job_id', jobId)).map(row => [
          row.trial_id,
          row,
        ]),
      );
      const now = new Date();
      let written = 0;
      for (const report of reports) {
        const next = columns(report);
        const row = stored.get(report.trialId);
        if (row && unchanged(row, next)) continue;
        if (row) {
          await trx(TRIALS)
            .where({ job_id: jobId, trial_id: report.trialId })
            .update({ ...next, updated_at: now });
        } else {
          // Another reconciler (backend replica) may have written it meanwhile.
          await trx(TRIALS)
            .insert({
              job_id: jobId,
              trial_id: report.trialId,
              ...next,
              created_at: now,
              updated_at: now,
            })
            .onConflict(['job_id', 'trial_id'])
            .merge({ ...next, updated_at: now });
        }
        written += 1;
      }
      return written;
    });
  }
}
