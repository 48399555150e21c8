import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ModelDeployment,
  ModelDeploymentState,
} from '@internal/backstage-plugin-serving-common';
import {
  migratedDatabaseClient,
  OwnerQuery,
  whereOwner,
} from '@internal/mlops-node';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-serving-backend',
  'migrations',
);

type DeploymentRow = {
  id: string;
  name: string;
  owner: string;
  model_name: string;
  model_version: string;
  cluster: string;
  state: string;
  endpoint: string | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

/**
 * Model deployments in the plugin's database (table `model_deployments`).
 */
export class DatabaseDeploymentStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseDeploymentStore> {
    return new DatabaseDeploymentStore(
      await migratedDatabaseClient(options.database, migrationsDir),
    );
  }

  private constructor(readonly knex: Knex) {}

  /** Newest first; `filter` is the ownership condition of the caller, absent for all. */
  async listDeployments(options: {
    filter?: PermissionCriteria<OwnerQuery>;
    limit: number;
  }): Promise<ModelDeployment[]> {
    const { filter, limit } = options;
    const query = this.knex<DeploymentRow>('model_deployments')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (filter) {
      query.where(q => whereOwner(q, filter));
    }
    return (await query).map(toDeployment);
  }

  /** The deployments with the given ids, in the same order; undefined where none exists. */
  async getDeployments(
    ids: string[],
  ): Promise<(ModelDeployment | undefined)[]> {
    const rows = await this.knex<DeploymentRow>('model_deployments').whereIn(
      'id',
      ids,
    );
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toDeployment(row);
    });
  }

  async insertDeployment(deployment: ModelDeployment): Promise<void> {
    await this.knex<DeploymentRow>('model_deployments').insert({
      id: deployment.id,
      name: deployment.name,
      owner: deployment.owner,
      model_name: deployment.modelName,
      model_version: deployment.modelVersion,
      cluster: deployment.cluster,
      state: deployment.state,
      endpoint: deployment.endpoint ?? null,
      created_at: new Date(deployment.createdAt),
      updated_at: new Date(deployment.updatedAt),
    });
  }
}

function toDeployment(row: DeploymentRow): ModelDeployment {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    modelName: row.model_name,
    modelVersion: row.model_version,
    cluster: row.cluster,
    state: row.state as ModelDeploymentState,
    endpoint: row.endpoint ?? undefined,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
