import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Dataset,
  DatasetFile,
  DatasetVersion,
  DatasetVersionSummary,
} from '@internal/backstage-plugin-datasets-common';
import { migratedDatabaseClient } from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { sortedFiles, versionIdOf } from '../versions/manifest';

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

type VersionRow = {
  dataset_id: string;
  version: string;
  parent_version: string | null;
  manifest: string;
  file_count: number;
  total_bytes: number | string;
  message: string | null;
  created_by: string;
  created_at: string | Date;
};

function toSummary(row: VersionRow): DatasetVersionSummary {
  return {
    datasetId: row.dataset_id,
    version: row.version,
    ...(row.parent_version !== null && { parentVersion: row.parent_version }),
    fileCount: row.file_count,
    totalBytes: Number(row.total_bytes),
    ...(row.message !== null && { message: row.message }),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function toVersion(row: VersionRow): DatasetVersion {
  return { ...toSummary(row), files: JSON.parse(row.manifest) };
}

/** What changes a dataset's files: the new file list made from the latest version's. */
export type VersionChange = {
  apply(current: DatasetFile[]): DatasetFile[];
  message: string;
  createdBy: string;
  /** The dataset's format after the change, e.g. derived from its files. */
  format?: (files: DatasetFile[]) => string | undefined;
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

  async get(id: string): Promise<Dataset> {
    const [dataset] = await this.getByIds([id]);
    if (!dataset) {
      throw new NotFoundError(`No dataset with id '${id}'`);
    }
    return dataset;
  }

  async findByName(owner: string, name: string): Promise<Dataset | undefined> {
    const row = await this.knex<DatasetRow>('datasets')
      .where({ owner, name })
      .first();
    return row && toDataset(row);
  }

  async listVersions(datasetId: string): Promise<DatasetVersionSummary[]> {
    const rows = await this.knex<VersionRow>('dataset_versions')
      .where({ dataset_id: datasetId })
      .orderBy('created_at', 'desc')
      .select(
        'dataset_id',
        'version',
        'parent_version',
        'file_count',
        'total_bytes',
        'message',
        'created_by',
        'created_at',
      );
    return rows.map(row => toSummary(row as VersionRow));
  }

  async getVersion(
    datasetId: string,
    version: string,
  ): Promise<DatasetVersion> {
    const row = await this.knex<VersionRow>('dataset_versions')
      .where({ dataset_id: datasetId, version })
      .first();
    if (!row) {
      throw new NotFoundError(
        `Dataset '${datasetId}' has no version '${version}'`,
      );
    }
    return toVersion(row);
  }

  /**
   * Makes a new version from the latest one, in one transaction: concurrent changes are
   * serialized and none is lost. When the files do not change, or come back to those of an
   * earlier version, no new version row is written; that version becomes the latest.
   */
  async addVersion(
    datasetId: string,
    change: VersionChange,
  ): Promise<{ version: DatasetVersion; created: boolean }> {
    return this.knex.transaction(async tx => {
      const query = tx<DatasetRow>('datasets').where({ id: datasetId });
      // SQLite serializes write transactions anyway and does not know FOR UPDATE.
      const dataset = await (tx.client.config.client === 'pg'
        ? query.forUpdate()
        : query
      ).first();
      if (!dataset) {
        throw new NotFoundError(`No dataset with id '${datasetId}'`);
      }
      const parent = dataset.latest_version
        ? await tx<VersionRow>('dataset_versions')
            .where({ dataset_id: datasetId, version: dataset.latest_version })
            .first()
        : undefined;
      const files = sortedFiles(
        change.apply(parent ? JSON.parse(parent.manifest) : []),
      );
      const version = versionIdOf(files);
      const existing = await tx<VersionRow>('dataset_versions')
        .where({ dataset_id: datasetId, version })
        .first();
      const now = new Date().toISOString();
      let row: VersionRow;
      if (existing) {
        row = existing;
      } else {
        row = {
          dataset_id: datasetId,
          version,
          parent_version: dataset.latest_version,
          manifest: JSON.stringify(files),
          file_count: files.length,
          total_bytes: files.reduce((sum, f) => sum + f.size, 0),
          message: change.message,
          created_by: change.createdBy,
          created_at: now,
        };
        await tx('dataset_versions').insert(row);
      }
      if (dataset.latest_version !== version) {
        await tx('datasets')
          .where({ id: datasetId })
          .update({
            latest_version: version,
            format: change.format?.(files) ?? dataset.format,
            updated_at: now,
          });
      }
      return { version: toVersion(row), created: !existing };
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
