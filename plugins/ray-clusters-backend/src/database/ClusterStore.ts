import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  RayClusterDriver,
  RayClusterSpec,
  RayClusterState,
} from '@internal/backstage-plugin-ray-clusters-common';
import { migratedDatabaseClient } from '@internal/mlops-node';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-ray-clusters-backend',
  'migrations',
);

/** A cluster created through the API, as stored. */
export type StoredCluster = {
  name: string;
  title: string;
  owner: string;
  driver: RayClusterDriver;
  spec: RayClusterSpec;
  state: RayClusterState;
  message: string;
  dashboardUrl?: string;
  token?: string;
  instanceId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

type Row = {
  name: string;
  title: string;
  owner: string;
  driver: string;
  cpus: number;
  gpus: number;
  memory_bytes: number | string | null;
  idle_timeout_seconds: number;
  state: string;
  message: string;
  dashboard_url: string | null;
  token: string | null;
  instance_id: string;
  created_by: string;
  created_at: string | Date;
  updated_at: string | Date;
};

const iso = (value: string | Date) => new Date(value).toISOString();

function fromRow(row: Row): StoredCluster {
  return {
    name: row.name,
    title: row.title,
    owner: row.owner,
    driver: row.driver as RayClusterDriver,
    spec: {
      cpus: Number(row.cpus),
      gpus: Number(row.gpus),
      memoryBytes:
        row.memory_bytes === null ? undefined : Number(row.memory_bytes),
      idleTimeoutSeconds: row.idle_timeout_seconds,
    },
    state: row.state as RayClusterState,
    message: row.message,
    dashboardUrl: row.dashboard_url ?? undefined,
    token: row.token ?? undefined,
    instanceId: row.instance_id,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The `ray_clusters` table. */
export class ClusterStore {
  static async create(database: DatabaseService): Promise<ClusterStore> {
    return new ClusterStore(
      await migratedDatabaseClient(database, migrationsDir),
    );
  }

  constructor(readonly knex: Knex) {}

  async list(): Promise<StoredCluster[]> {
    const rows = await this.knex<Row>('ray_clusters').orderBy('name');
    return rows.map(fromRow);
  }

  async get(name: string): Promise<StoredCluster | undefined> {
    const row = await this.knex<Row>('ray_clusters').where({ name }).first();
    return row && fromRow(row);
  }

  async insert(cluster: StoredCluster): Promise<void> {
    try {
      await this.knex<Row>('ray_clusters').insert({
        name: cluster.name,
        title: cluster.title,
        owner: cluster.owner,
        driver: cluster.driver,
        cpus: cluster.spec.cpus,
        gpus: cluster.spec.gpus,
        memory_bytes: cluster.spec.memoryBytes ?? null,
        idle_timeout_seconds: cluster.spec.idleTimeoutSeconds,
        state: cluster.state,
        message: cluster.message,
        dashboard_url: cluster.dashboardUrl ?? null,
        token: cluster.token ?? null,
        instance_id: cluster.instanceId,
        created_by: cluster.createdBy,
        created_at: cluster.createdAt,
        updated_at: cluster.updatedAt,
      });
    } catch (error) {
      if (/unique|duplicate/i.test(String(error))) {
        throw new ConflictError(
          `A Ray cluster named "${cluster.name}" already exists`,
        );
      }
      throw error;
    }
  }

  async update(
    name: string,
    changes: Partial<
      Pick<
        StoredCluster,
        'state' | 'message' | 'dashboardUrl' | 'token' | 'spec'
      >
    >,
  ): Promise<void> {
    const row: Partial<Row> = { updated_at: new Date().toISOString() };
    if (changes.state !== undefined) row.state = changes.state;
    if (changes.message !== undefined) row.message = changes.message;
    if (changes.dashboardUrl !== undefined)
      row.dashboard_url = changes.dashboardUrl;
    if (changes.token !== undefined) row.token = changes.token;
    if (changes.spec) {
      row.cpus = changes.spec.cpus;
      row.gpus = changes.spec.gpus;
      row.memory_bytes = changes.spec.memoryBytes ?? null;
      row.idle_timeout_seconds = changes.spec.idleTimeoutSeconds;
    }
    await this.knex<Row>('ray_clusters').where({ name }).update(row);
  }

  async delete(name: string): Promise<void> {
    await this.knex('ray_clusters').where({ name }).delete();
  }
}
