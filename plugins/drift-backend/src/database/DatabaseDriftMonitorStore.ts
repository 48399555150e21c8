import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  DriftMonitor,
  DriftResult,
} from '@internal/backstage-plugin-drift-common';
import { migratedDatabaseClient } from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

export const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-drift-backend',
  'migrations',
);

type DriftMonitorRow = {
  id: string;
  name: string;
  owner: string;
  deployment: string;
  schedule: string | null;
  last_check_at: string | Date | null;
  last_result: DriftResult | null;
  created_at: string | Date;
  updated_at: string | Date;
};

/** What a caller chooses when creating a monitor; the store sets the rest. */
export type NewDriftMonitor = Pick<
  DriftMonitor,
  'name' | 'owner' | 'deployment'
> &
  Partial<Pick<DriftMonitor, 'schedule'>>;

function toMonitor(row: DriftMonitorRow): DriftMonitor {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    deployment: row.deployment,
    ...(row.schedule !== null && { schedule: row.schedule }),
    ...(row.last_check_at !== null && {
      lastCheckAt: new Date(row.last_check_at).toISOString(),
    }),
    ...(row.last_result !== null && { lastResult: row.last_result }),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The `drift_monitors` table. */
export class DatabaseDriftMonitorStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseDriftMonitorStore> {
    return new DatabaseDriftMonitorStore(
      await migratedDatabaseClient(database, migrationsDir),
    );
  }

  constructor(readonly knex: Knex) {}

  async list(): Promise<DriftMonitor[]> {
    const rows = await this.knex<DriftMonitorRow>('drift_monitors').orderBy([
      'owner',
      'name',
    ]);
    return rows.map(toMonitor);
  }

  /** The monitors with the given ids, in that order; undefined where there is none. */
  async getByIds(ids: string[]): Promise<(DriftMonitor | undefined)[]> {
    const rows = await this.knex<DriftMonitorRow>('drift_monitors').whereIn(
      'id',
      ids,
    );
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toMonitor(row);
    });
  }

  async create(input: NewDriftMonitor): Promise<DriftMonitor> {
    const existing = await this.knex('drift_monitors')
      .where({ owner: input.owner, name: input.name })
      .first();
    if (existing) {
      throw new ConflictError(
        `${input.owner} already has a drift monitor named '${input.name}'`,
      );
    }
    const now = new Date().toISOString();
    const row: DriftMonitorRow = {
      id: randomUUID(),
      name: input.name,
      owner: input.owner,
      deployment: input.deployment,
      schedule: input.schedule ?? null,
      last_check_at: null,
      last_result: null,
      created_at: now,
      updated_at: now,
    };
    await this.knex('drift_monitors').insert(row);
    return toMonitor(row);
  }
}
