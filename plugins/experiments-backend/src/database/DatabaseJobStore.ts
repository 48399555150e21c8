import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ResolvedJobConfig,
  TERMINAL_JOB_STATES,
  TrainingJob,
  TrainingJobState,
} from '@internal/backstage-plugin-experiments-common';
import {
  migratedDatabaseClient,
  OwnerQuery,
  whereOwner,
} from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

const JOBS = 'training_jobs';
const OUTBOX = 'training_job_outbox';
/** States of a job that holds, or waits for, a place on its cluster. */
const ACTIVE_STATES: TrainingJobState[] = [
  'QUEUED',
  'STARTING',
  'RUNNING',
  'CANCELLING',
];

type Timestamp = Date | string | number;

type JobRow = {
  id: string;
  name: string;
  owner: string;
  project: string | null;
  state: string;
  reason: string | null;
  config: string;
  attempts: number | string;
  cluster: string | null;
  ray_submission_id: string | null;
  ray_job_id: string | null;
  mlflow_experiment_id: string | null;
  mlflow_run_id: string | null;
  registered_model_name: string | null;
  registered_model_version: string | null;
  dataset_id: string | null;
  dataset_version: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
};

/** A stored job as the backend works with it; links are added by the router. */
export type StoredJob = Omit<TrainingJob, 'links'>;

/** Fields a state transition may set besides the state. */
export type JobPatch = {
  reason?: string | null;
  rayJobId?: string;
  raySubmissionId?: string;
  mlflowExperimentId?: string;
  mlflowRunId?: string;
  registeredModel?: { name: string; version: string };
  started?: boolean;
  finished?: boolean;
};

/**
 * A transition that started a job (it reached RUNNING, or ended before it was seen running) or
 * ended it: the job as the transition left it.
 */
export type JobMilestone = {
  job: StoredJob;
  /** This transition set the job's start time. */
  started: boolean;
  /** This transition moved the job to a final state. */
  finished: boolean;
};

/** An outbox row claimed by one relay. */
export type OutboxEntry = { id: string; jobId: string; claimedBy: string };

/**
 * Training jobs in the plugin's database (table `training_jobs`) and the outbox of the job queue
 * (table `training_job_outbox`).
 *
 * Every state change is one guarded UPDATE (`WHERE state IN (...)`): of several workers or
 * reconcilers racing on one job, exactly one moves it, and a job never moves backwards.
 */
export class DatabaseJobStore {
  static async create(options: {
    database: DatabaseService;
    /** Told of every job that starts or ends, once, by the process whose transition did it. */
    onMilestone?: (milestone: JobMilestone) => void;
  }): Promise<DatabaseJobStore> {
    return new DatabaseJobStore(
      await migratedDatabaseClient(options.database, migrationsDir),
      options.onMilestone,
    );
  }

  private constructor(
    readonly knex: Knex,
    private readonly onMilestone?: (milestone: JobMilestone) => void,
  ) {}

  /**
   * Newest first; `filter` is the ownership condition of the caller, absent for all jobs. With
   * `datasetId` (and `datasetVersion`), only the jobs that trained on that dataset (version).
   */
  async listJobs(options: {
    filter?: PermissionCriteria<OwnerQuery>;
    limit: number;
    datasetId?: string;
    datasetVersion?: string;
  }): Promise<StoredJob[]> {
    const { filter, limit, datasetId, datasetVersion } = options;
    const query = this.knex<JobRow>(JOBS)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (filter) {
      query.where(q => whereOwner(q, filter));
    }
    if (datasetId) {
      query.where('dataset_id', datasetId);
      if (datasetVersion) query.where('dataset_version', datasetVersion);
    }
    return (await query).map(toJob);
  }

  /** The jobs with the given ids, in the same order; undefined where none exists. */
  async getJobs(ids: string[]): Promise<(StoredJob | undefined)[]> {
    const rows = await this.knex<JobRow>(JOBS).whereIn('id', ids);
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toJob(row);
    });
  }

  async getJob(id: string): Promise<StoredJob | undefined> {
    const row = await this.knex<JobRow>(JOBS).where('id', id).first();
    return row && toJob(row);
  }

  /** Jobs in the given states, oldest first (for the reconciler). */
  async listJobsInStates(
    states: TrainingJobState[],
    limit = 200,
  ): Promise<StoredJob[]> {
    const rows = await this.knex<JobRow>(JOBS)
      .whereIn('state', states)
      .orderBy('created_at')
      .limit(limit);
    return rows.map(toJob);
  }

  /**
   * Stores a job, and when `enqueue` is set an outbox row for the queue, in one transaction:
   * either both are written or neither. `admit` is called in that transaction with the number of
   * the owner's active (queued to cancelling) jobs, and may throw to refuse the job; concurrent
   * submissions of one owner are counted one after the other.
   */
  async insertJob(
    job: StoredJob,
    options: { enqueue?: boolean; admit?: (activeJobs: number) => void } = {},
  ): Promise<void> {
    await this.knex.transaction(async trx => {
      if (options.admit) {
        options.admit(await this.countActiveJobs(trx, job.owner));
      }
      await trx<JobRow>(JOBS).insert({
        id: job.id,
        name: job.name,
        owner: job.owner,
        project: job.project ?? null,
        state: job.state,
        reason: job.reason ?? null,
        config: JSON.stringify(job.config),
        attempts: job.attempts,
        cluster: job.config?.cluster ?? null,
        dataset_id: job.config?.dataset?.id ?? null,
        dataset_version: job.config?.dataset?.version ?? null,
        ray_submission_id: job.raySubmissionId ?? null,
        ray_job_id: job.rayJobId ?? null,
        mlflow_experiment_id: job.mlflowExperimentId ?? null,
        mlflow_run_id: job.mlflowRunId ?? null,
        registered_model_name: job.registeredModel?.name ?? null,
        registered_model_version: job.registeredModel?.version ?? null,
        created_at: new Date(job.createdAt),
        updated_at: new Date(job.updatedAt),
        started_at: job.startedAt ? new Date(job.startedAt) : null,
        finished_at: job.finishedAt ? new Date(job.finishedAt) : null,
      });
      if (options.enqueue) {
        await trx(OUTBOX).insert({ job_id: job.id, created_at: new Date() });
      }
    });
  }

  private async countActiveJobs(trx: Knex.Transaction, owner: string) {
    if (this.knex.client.config.client === 'pg') {
      // SQLite runs one write transaction at a time; PostgreSQL needs the owner's lock.
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [
        `experiments.active-jobs:${owner}`,
      ]);
    }
    const [row] = await trx<JobRow>(JOBS)
      .where('owner', owner)
      .whereIn('state', ACTIVE_STATES)
      .count({ count: '*' });
    return Number(row?.count ?? 0);
  }

  /**
   * Moves a job to `to` if it is in one of `from`; false when another process moved it first or
   * it is elsewhere. `started`/`finished` set those timestamps once.
   */
  async transition(
    id: string,
    from: TrainingJobState[],
    to: TrainingJobState,
    patch: JobPatch = {},
  ): Promise<boolean> {
    const now = new Date();
    const update: Record<string, unknown> = {
      state: to,
      updated_at: now,
      ...toColumns(patch),
    };
    if (patch.started) {
      update.started_at = this.knex.raw('coalesce(started_at, ?)', [now]);
    }
    if (patch.finished) {
      update.finished_at = now;
    }
    const onMilestone = this.onMilestone;
    if (!onMilestone || !(patch.started || patch.finished)) {
      const count = await this.knex(JOBS)
        .where('id', id)
        .whereIn('state', from)
        .update(update);
      return count > 0;
    }
    // Whether this transition started the job is read before the update, in one transaction:
    // comparing the stored timestamp with `now` counted a job twice when two transitions fell
    // within the same millisecond.
    const milestone = await this.knex.transaction(async tx => {
      const current = tx<JobRow>(JOBS).where('id', id).whereIn('state', from);
      const before = await (tx.client.config.client === 'pg'
        ? current.forUpdate()
        : current
      ).first('started_at');
      if (!before) return undefined;
      const [row]: JobRow[] = await tx(JOBS)
        .where('id', id)
        .update(update)
        .returning('*');
      return {
        job: toJob(row),
        started: patch.started === true && before.started_at === null,
        finished: TERMINAL_JOB_STATES.includes(to),
      };
    });
    if (!milestone) return false;
    if (milestone.started || milestone.finished) onMilestone(milestone);
    return true;
  }

  /** Sets fields without changing the state, while the job is in one of `states`. */
  async update(
    id: string,
    states: TrainingJobState[],
    patch: JobPatch,
  ): Promise<boolean> {
    const columns = toColumns(patch);
    if (Object.keys(columns).length === 0) return false;
    const updated = await this.knex(JOBS)
      .where('id', id)
      .whereIn('state', states)
      .update({ ...columns, updated_at: new Date() });
    return updated > 0;
  }

  /** Counts a delivery to a worker, while the job still waits for one. */
  async countAttempt(id: string, states: TrainingJobState[]): Promise<boolean> {
    const updated = await this.knex(JOBS)
      .where('id', id)
      .whereIn('state', states)
      .update({
        attempts: this.knex.raw('attempts + 1'),
        updated_at: new Date(),
      });
    return updated > 0;
  }

  /**
   * Claims up to `limit` outbox rows that no relay holds (or whose claim expired), oldest first.
   */
  async claimOutbox(limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const now = Date.now();
    const claimedBy = randomUUID();
    const candidates = this.knex(OUTBOX)
      .select('id')
      .where(q =>
        q.whereNull('claimed_until').orWhere('claimed_until', '<=', now),
      )
      .orderBy('id')
      .limit(limit);
    if (this.knex.client.config.client === 'pg') {
      candidates.forUpdate().skipLocked();
    }
    const rows: Array<{ id: number | string; job_id: string }> =
      await this.knex(OUTBOX)
        .update({ claimed_until: now + leaseMs, claimed_by: claimedBy })
        .whereIn('id', candidates)
        .returning(['id', 'job_id']);
    return rows
      .map(r => ({ id: String(r.id), jobId: r.job_id, claimedBy }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Removes a published row, if this relay still holds its claim. */
  async deleteOutbox(entry: OutboxEntry): Promise<void> {
    await this.knex(OUTBOX)
      .where({ id: entry.id, claimed_by: entry.claimedBy })
      .delete();
  }

  /** Gives a claimed row back, to be tried again after `delayMs`. */
  async releaseOutbox(entry: OutboxEntry, delayMs: number): Promise<void> {
    await this.knex(OUTBOX)
      .where({ id: entry.id, claimed_by: entry.claimedBy })
      .update({ claimed_until: Date.now() + delayMs, claimed_by: null });
  }

  /** How many jobs there are, by state and model template id. */
  async countByStateAndTemplate(): Promise<
    Array<{ state: TrainingJobState; templateId: string; count: number }>
  > {
    const templateId =
      this.knex.client.config.client === 'pg'
        ? `(config::json #>> '{template,id}')`
        : `json_extract(config, '$.template.id')`;
    const rows: Array<{
      state: string;
      template_id: string | null;
      count: number | string;
    }> = await this.knex(JOBS)
      .select('state', this.knex.raw(`${templateId} as template_id`))
      .count({ count: '*' })
      .groupBy('state')
      .groupByRaw(templateId);
    return rows.map(row => ({
      state: row.state as TrainingJobState,
      templateId: row.template_id ?? '',
      count: Number(row.count),
    }));
  }

  /** When the oldest job in `state` was submitted; undefined when no job is in it. */
  async oldestSubmittedIn(state: TrainingJobState): Promise<Date | undefined> {
    const row = await this.knex(JOBS)
      .where('state', state)
      .min({ oldest: 'created_at' })
      .first();
    const oldest: Timestamp | null | undefined = row?.oldest;
    return oldest === null || oldest === undefined
      ? undefined
      : new Date(oldest);
  }

  /** Job ids waiting in the outbox, oldest first. */
  async listOutbox(): Promise<string[]> {
    const rows = await this.knex(OUTBOX).select('job_id').orderBy('id');
    return rows.map(r => r.job_id);
  }
}

function toColumns(patch: JobPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (patch.reason !== undefined) columns.reason = patch.reason;
  if (patch.rayJobId) columns.ray_job_id = patch.rayJobId;
  if (patch.raySubmissionId) columns.ray_submission_id = patch.raySubmissionId;
  if (patch.mlflowExperimentId) {
    columns.mlflow_experiment_id = patch.mlflowExperimentId;
  }
  if (patch.mlflowRunId) columns.mlflow_run_id = patch.mlflowRunId;
  if (patch.registeredModel) {
    columns.registered_model_name = patch.registeredModel.name;
    columns.registered_model_version = patch.registeredModel.version;
  }
  return columns;
}

function iso(value: Timestamp | null): string | undefined {
  return value === null || value === undefined
    ? undefined
    : new Date(value).toISOString();
}

function toJob(row: JobRow): StoredJob {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    project: row.project ?? undefined,
    state: row.state as TrainingJobState,
    reason: row.reason ?? undefined,
    attempts: Number(row.attempts ?? 0),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    config: JSON.parse(row.config) as ResolvedJobConfig,
    raySubmissionId: row.ray_submission_id ?? undefined,
    rayJobId: row.ray_job_id ?? undefined,
    mlflowExperimentId: row.mlflow_experiment_id ?? undefined,
    mlflowRunId: row.mlflow_run_id ?? undefined,
    registeredModel:
      row.registered_model_name && row.registered_model_version
        ? {
            name: row.registered_model_name,
            version: row.registered_model_version,
          }
        : undefined,
  };
}
