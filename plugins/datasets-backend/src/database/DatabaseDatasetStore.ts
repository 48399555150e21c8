import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { migratedDatabaseClient } from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

export const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-datasets-backend',
  'migrations',
);

type DatasetRow = {
  id: string;
  name: string;
  owner: string;
  description: string | null;
  format: string | null;
  latest_version: string | null;
  created_at: string | Date;
  updated_at: string | Date;
};

/** What a caller chooses when creating a dataset; the store sets the rest. */
export type NewDataset = Pick<Dataset, 'name' | 'owner'> &
  Partial<Pick<Dataset, 'description' | 'format'>>;

function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    ...(row.description !== null && { description: row.description }),
    ...(row.format !== null && { format: row.format }),
    ...(row.latest_version !== null && { latestVersion: row.latest_version }),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The `datasets` table. */
export class DatabaseDatasetStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseDatasetStore> {
    return new DatabaseDatasetStore(
      await migratedDatabaseClient(database, migrationsDir),
    );
  }

  constructor(readonly knex: Knex) {}

  async list(): Promise<Dataset[]> {
    const rows = await this.knex<DatasetRow>('datasets').orderBy([
      'owner',
      'name',
    ]);
    return rows.map(toDataset);
  }

  /** The datasets with the given ids, in that order; undefined where there is none. */
  async getByIds(ids: string[]): Promise<(Dataset | undefined)[]> {
    const rows = await this.knex<DatasetRow>('datasets').whereIn('id', ids);
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toDataset(row);
    });
  }

  async create(input: NewDataset): Promise<Dataset> {
    const now = new Date().toISOString();
    const row: DatasetRow = {
      id: randomUUID(),
      name: input.name,
      owner: input.owner,
      description: input.description ?? null,
      format: input.format ?? null,
      latest_version: null,
      created_at: now,
      updated_at: now,
    };
    const existing = await this.knex('datasets')
      .where({ owner: input.owner, name: input.name })
      .first();
    if (existing) {
      throw new ConflictError(
        `${input.owner} already has a dataset named '${input.name}'`,
      );
    }
    await this.knex('datasets').insert(row);
    return toDataset(row);
  }
}
