import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import {
  TrainingJob,
  TrainingJobState,
} from '@internal/backstage-plugin-experiments-common';
import {
  migratedDatabaseClient,
  OwnerQuery,
  whereOwner,
} from '@internal/mlops-node';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

type JobRow = {
  id: string;
  name: string;
  owner: string;
  project: string | null;
  state: string;
  reason: string | null;
  config: string;
  mlflow_run_id: string | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

/**
 * Training jobs in the plugin's database (table `training_jobs`).
 */
export class DatabaseJobStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseJobStore> {
    return new DatabaseJobStore(
      await migratedDatabaseClient(options.database, migrationsDir),
    );
  }

  private constructor(readonly knex: Knex) {}

  /** Newest first; `filter` is the ownership condition of the caller, absent for all jobs. */
  async listJobs(options: {
    filter?: PermissionCriteria<OwnerQuery>;
    limit: number;
  }): Promise<TrainingJob[]> {
    const { filter, limit } = options;
    const query = this.knex<JobRow>('training_jobs')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (filter) {
      query.where(q => whereOwner(q, filter));
    }
    return (await query).map(toJob);
  }

  /** The jobs with the given ids, in the same order; undefined where none exists. */
  async getJobs(ids: string[]): Promise<(TrainingJob | undefined)[]> {
    const rows = await this.knex<JobRow>('training_jobs').whereIn('id', ids);
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toJob(row);
    });
  }

  async insertJob(job: TrainingJob, config: JsonObject = {}): Promise<void> {
    await this.knex<JobRow>('training_jobs').insert({
      id: job.id,
      name: job.name,
      owner: job.owner,
      project: job.project ?? null,
      state: job.state,
      reason: job.reason ?? null,
      config: JSON.stringify(config),
      mlflow_run_id: job.mlflowRunId ?? null,
      created_at: new Date(job.createdAt),
      updated_at: new Date(job.updatedAt),
    });
  }
}

function toJob(row: JobRow): TrainingJob {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    project: row.project ?? undefined,
    state: row.state as TrainingJobState,
    reason: row.reason ?? undefined,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    mlflowRunId: row.mlflow_run_id ?? undefined,
  };
}
