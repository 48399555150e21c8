import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ApiKey,
  DeploymentHistoryEntry,
  DeploymentVersion,
  ModelDeployment,
  ModelDeploymentDetails,
  ModelDeploymentState,
  Scaling,
  ShadowTraffic,
} from '@internal/backstage-plugin-serving-common';
import {
  migratedDatabaseClient,
  OwnerQuery,
  whereOwner,
} from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { liveVersions } from '../service/traffic';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-serving-backend',
  'migrations',
);

type Time = Date | string | number;

type DeploymentRow = {
  id: string;
  name: string;
  owner: string;
  model_name: string;
  model_version: string;
  cluster: string;
  state: string;
  endpoint: string | null;
  message: string | null;
  versions: string | null;
  shadow: string | null;
  scaling: string | null;
  cpus: number;
  gpus: number;
  created_by: string | null;
  created_at: Time;
  updated_at: Time;
  sync_pending?: boolean | number;
  draining?: string | null;
};

type ApiKeyRow = {
  id: string;
  deployment_id: string;
  name: string;
  sha256: string;
  created_by: string;
  created_at: Time;
  expires_at: Time | null;
  revoked_at: Time | null;
  requests_per_second: number;
  burst: number;
  last_used_at: Time | null;
};

type HistoryRow = {
  id: string;
  deployment_id: string;
  actor: string;
  at: Time;
  action: string;
  details: string;
  reason: string | null;
};

/** An API key as stored: its sha256, never the key. */
export type StoredApiKey = ApiKey & { deploymentId: string; sha256: string };

/** One change of a deployment, for its history. */
export type DeploymentChange = Pick<
  DeploymentHistoryEntry,
  'actor' | 'action' | 'details'
> & { reason?: string };

/**
 * Model deployments, their API keys and their history in the plugin's database (tables
 * `model_deployments`, `model_deployment_api_keys`, `model_deployment_history`). Every write
 * records its change in the history in the same transaction.
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
    offset?: number;
  }): Promise<ModelDeployment[]> {
    const { filter, limit, offset = 0 } = options;
    const query = this.knex<DeploymentRow>('model_deployments')
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .offset(offset);
    if (filter) {
      query.where(q => whereOwner(q, filter));
    }
    return (await query).map(row => toSummary(toDeployment(row)));
  }

  /** The deployments with the given ids, in the same order; undefined where none exists. */
  async getDeployments(
    ids: string[],
  ): Promise<(ModelDeploymentDetails | undefined)[]> {
    const rows = await this.knex<DeploymentRow>('model_deployments').whereIn(
      'id',
      ids,
    );
    return ids.map(id => {
      const row = rows.find(r => r.id === id);
      return row && toDeployment(row);
    });
  }

  async getDeployment(id: string): Promise<ModelDeploymentDetails | undefined> {
    const [deployment] = await this.getDeployments([id]);
    return deployment;
  }

  /**
   * Stores a new deployment and its `created` history entry; ConflictError when the cluster has
   * a deployment of that name already.
   */
  async insertDeployment(
    deployment: ModelDeployment | ModelDeploymentDetails,
    change?: DeploymentChange,
  ): Promise<void> {
    const details = withDefaults(deployment);
    await this.knex.transaction(async tx => {
      const taken = await tx<DeploymentRow>('model_deployments')
        .where({ cluster: details.cluster, name: details.name })
        .first('id');
      if (taken) {
        throw nameTaken(details);
      }
      try {
        await tx<DeploymentRow>('model_deployments').insert(toRow(details));
      } catch (error) {
        // A concurrent insert of the same name passed the check above.
        if (/unique|duplicate/i.test(String(error))) throw nameTaken(details);
        throw error;
      }
      if (change) {
        await insertHistory(tx, details.id, change, details.createdAt);
      }
    });
  }

  /**
   * Changes a deployment under a row lock: `update` gets the stored deployment and returns the
   * new one and the change to record; undefined when the deployment is gone.
   */
  async updateDeployment(
    id: string,
    update: (current: ModelDeploymentDetails) => {
      deployment: ModelDeploymentDetails;
      change?: DeploymentChange;
    },
  ): Promise<ModelDeploymentDetails | undefined> {
    return this.knex.transaction(async tx => {
      const row = await tx<DeploymentRow>('model_deployments')
        .where('id', id)
        .forUpdate()
        .first();
      if (!row) return undefined;
      const now = new Date().toISOString();
      const current = toDeployment(row);
      const { deployment, change } = update(current);
      const next = { ...deployment, updatedAt: now };
      // Versions that lose all traffic stay deployed a while: replicas of the ingress that is
      // being replaced may still send them requests.
      const live = new Set(liveVersions(next));
      const draining = [
        ...new Set([...drainingOf(row), ...liveVersions(current)]),
      ].filter(version => !live.has(version));
      await tx<DeploymentRow>('model_deployments')
        .where('id', id)
        .update({
          ...toRow(next),
          draining: draining.length ? JSON.stringify(draining) : null,
        });
      if (change) {
        await insertHistory(tx, id, change, now);
      }
      return next;
    });
  }

  /**
   * What Ray says of the deployment, without a history entry (it is not a change);
   * `syncPending` when given: whether Ray has yet to take the stored deployment.
   */
  async setObservedState(
    id: string,
    observed: {
      state: ModelDeploymentState;
      message?: string;
      endpoint?: string;
      syncPending?: boolean;
    },
  ): Promise<void> {
    await this.knex<DeploymentRow>('model_deployments')
      .where('id', id)
      .update({
        state: observed.state,
        message: observed.message ?? null,
        ...(observed.endpoint !== undefined
          ? { endpoint: observed.endpoint }
          : {}),
        ...(observed.syncPending !== undefined
          ? { sync_pending: observed.syncPending }
          : {}),
      });
  }

  /** The versions that lost their traffic and are still deployed (see updateDeployment). */
  async getDraining(id: string): Promise<string[]> {
    const row = await this.knex<DeploymentRow>('model_deployments')
      .where('id', id)
      .first('draining');
    return row ? drainingOf(row) : [];
  }

  /** Ends the draining of a deployment unless it changed since `updatedAt`; true when it ended. */
  async endDraining(id: string, updatedAt: string): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const row = await tx<DeploymentRow>('model_deployments')
        .where('id', id)
        .forUpdate()
        .first();
      if (!row || new Date(row.updated_at).toISOString() !== updatedAt) {
        return false;
      }
      await tx<DeploymentRow>('model_deployments')
        .where('id', id)
        .update({ draining: null });
      return true;
    });
  }

  /**
   * The deployments the reconciler follows, oldest change first: those Ray has yet to take
   * (`syncPending`), those not settled (DEPLOYING, UNHEALTHY) and those with versions draining.
   * HEALTHY is final until the next change; DELETING waits for the caller's retry of the
   * deletion.
   */
  async listUnsettled(limit = 200): Promise<
    Array<{
      deployment: ModelDeploymentDetails;
      syncPending: boolean;
      draining: string[];
    }>
  > {
    const rows = await this.knex<DeploymentRow>('model_deployments')
      .whereIn('state', ['DEPLOYING', 'UNHEALTHY'])
      .orWhere('sync_pending', true)
      .orWhereNotNull('draining')
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows
      .filter(row => row.state !== 'DELETING')
      .map(row => ({
        deployment: toDeployment(row),
        syncPending: Boolean(row.sync_pending),
        draining: drainingOf(row),
      }));
  }

  /** How many deployments are in each state. */
  async countByState(): Promise<Partial<Record<ModelDeploymentState, number>>> {
    const rows = await this.knex<DeploymentRow>('model_deployments')
      .select('state')
      .count({ count: '*' })
      .groupBy('state');
    return Object.fromEntries(rows.map(row => [row.state, Number(row.count)]));
  }

  /** The HEALTHY deployments with nothing pending: the ones the reconciler checks now and then. */
  async listSettled(limit = 1000): Promise<ModelDeploymentDetails[]> {
    const rows = await this.knex<DeploymentRow>('model_deployments')
      .where('state', 'HEALTHY')
      .where('sync_pending', false)
      .whereNull('draining')
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(toDeployment);
  }

  /** Removes a deployment and its keys; its history stays, with the `deleted` entry. */
  async deleteDeployment(id: string, change: DeploymentChange): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx('model_deployment_api_keys').where('deployment_id', id).delete();
      await tx('model_deployments').where('id', id).delete();
      await insertHistory(tx, id, change, new Date().toISOString());
    });
  }

  async insertApiKey(key: StoredApiKey, change: DeploymentChange) {
    await this.knex.transaction(async tx => {
      await tx<ApiKeyRow>('model_deployment_api_keys').insert({
        id: key.id,
        deployment_id: key.deploymentId,
        name: key.name,
        sha256: key.sha256,
        created_by: key.createdBy,
        created_at: new Date(key.createdAt),
        expires_at: key.expiresAt ? new Date(key.expiresAt) : null,
        revoked_at: null,
        requests_per_second: key.requestsPerSecond,
        burst: key.burst,
        last_used_at: null,
      });
      await insertHistory(
        tx,
        key.deploymentId,
        change,
        new Date().toISOString(),
      );
    });
  }

  /**
   * Records that the ingress saw the key at `at`, unless a later use is recorded already; a key
   * of another deployment is left alone. Whether a key was updated.
   */
  async recordKeyUse(
    deploymentId: string,
    keyId: string,
    at: Date,
  ): Promise<boolean> {
    const updated = await this.knex<ApiKeyRow>('model_deployment_api_keys')
      .where({ id: keyId, deployment_id: deploymentId })
      .where(q => q.whereNull('last_used_at').orWhere('last_used_at', '<', at))
      .update({ last_used_at: at });
    return updated > 0;
  }

  /** The deployment's keys, newest first, revoked ones included. */
  async listApiKeys(deploymentId: string): Promise<StoredApiKey[]> {
    const rows = await this.knex<ApiKeyRow>('model_deployment_api_keys')
      .where('deployment_id', deploymentId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toApiKey);
  }

  /** The keys Ray Serve should accept now: neither revoked nor expired. */
  async listLiveApiKeys(
    deploymentId: string,
    now = new Date(),
  ): Promise<StoredApiKey[]> {
    return (await this.listApiKeys(deploymentId)).filter(
      key =>
        !key.revokedAt &&
        (!key.expiresAt || new Date(key.expiresAt).getTime() > now.getTime()),
    );
  }

  /**
   * Revokes a key of the deployment; undefined when it has none of that id, the key unchanged
   * when it was revoked already.
   */
  async revokeApiKey(
    deploymentId: string,
    keyId: string,
    change: DeploymentChange,
  ): Promise<StoredApiKey | undefined> {
    return this.knex.transaction(async tx => {
      const row = await tx<ApiKeyRow>('model_deployment_api_keys')
        .where({ id: keyId, deployment_id: deploymentId })
        .forUpdate()
        .first();
      if (!row) return undefined;
      if (row.revoked_at) return toApiKey(row);
      const now = new Date();
      await tx<ApiKeyRow>('model_deployment_api_keys')
        .where('id', keyId)
        .update({ revoked_at: now });
      await insertHistory(tx, deploymentId, change, now.toISOString());
      return toApiKey({ ...row, revoked_at: now });
    });
  }

  /** Newest first. */
  async listHistory(
    deploymentId: string,
    limit: number,
  ): Promise<DeploymentHistoryEntry[]> {
    const rows = await this.knex<HistoryRow>('model_deployment_history')
      .where('deployment_id', deploymentId)
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(row => ({
      id: row.id,
      deploymentId: row.deployment_id,
      actor: row.actor,
      at: new Date(row.at).toISOString(),
      action: row.action as DeploymentHistoryEntry['action'],
      details: JSON.parse(row.details),
      ...(row.reason ? { reason: row.reason } : {}),
    }));
  }
}

function nameTaken(deployment: ModelDeployment) {
  return new ConflictError(
    `Cluster "${deployment.cluster}" has a deployment named "${deployment.name}" already: choose another name`,
  );
}

async function insertHistory(
  tx: Knex.Transaction,
  deploymentId: string,
  change: DeploymentChange,
  at: string,
) {
  await tx<HistoryRow>('model_deployment_history').insert({
    id: randomUUID(),
    deployment_id: deploymentId,
    actor: change.actor,
    at: new Date(at),
    action: change.action,
    details: JSON.stringify(change.details),
    reason: change.reason ?? null,
  });
}

function withDefaults(
  deployment: ModelDeployment | ModelDeploymentDetails,
): ModelDeploymentDetails {
  return {
    scaling: { replicas: 1 },
    resources: { cpus: 1, gpus: 0 },
    createdBy: deployment.owner,
    ...deployment,
  };
}

function drainingOf(row: Pick<DeploymentRow, 'draining'>): string[] {
  return row.draining ? JSON.parse(row.draining) : [];
}

function toRow(deployment: ModelDeploymentDetails): DeploymentRow {
  return {
    id: deployment.id,
    name: deployment.name,
    owner: deployment.owner,
    model_name: deployment.modelName,
    model_version: deployment.modelVersion,
    cluster: deployment.cluster,
    state: deployment.state,
    endpoint: deployment.endpoint ?? null,
    message: deployment.message ?? null,
    versions: JSON.stringify(deployment.versions),
    shadow: deployment.shadow ? JSON.stringify(deployment.shadow) : null,
    scaling: JSON.stringify(deployment.scaling),
    cpus: deployment.resources.cpus,
    gpus: deployment.resources.gpus,
    created_by: deployment.createdBy,
    created_at: new Date(deployment.createdAt),
    updated_at: new Date(deployment.updatedAt),
  };
}

function toDeployment(row: DeploymentRow): ModelDeploymentDetails {
  const versions: DeploymentVersion[] = row.versions
    ? JSON.parse(row.versions)
    : [{ version: row.model_version, weight: 100 }];
  const shadow: ShadowTraffic | undefined = row.shadow
    ? JSON.parse(row.shadow)
    : undefined;
  const scaling: Scaling = row.scaling
    ? JSON.parse(row.scaling)
    : { replicas: 1 };
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    modelName: row.model_name,
    modelVersion: row.model_version,
    cluster: row.cluster,
    state: row.state as ModelDeploymentState,
    ...(row.endpoint ? { endpoint: row.endpoint } : {}),
    ...(row.message ? { message: row.message } : {}),
    versions,
    ...(shadow ? { shadow } : {}),
    scaling,
    resources: { cpus: Number(row.cpus), gpus: Number(row.gpus) },
    createdBy: row.created_by ?? row.owner,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The list form of a deployment: what ModelDeployment has, nothing more. */
export function toSummary(deployment: ModelDeploymentDetails): ModelDeployment {
  return {
    id: deployment.id,
    name: deployment.name,
    owner: deployment.owner,
    modelName: deployment.modelName,
    modelVersion: deployment.modelVersion,
    cluster: deployment.cluster,
    state: deployment.state,
    ...(deployment.message ? { message: deployment.message } : {}),
    ...(deployment.endpoint ? { endpoint: deployment.endpoint } : {}),
    versions: deployment.versions,
    ...(deployment.shadow ? { shadow: deployment.shadow } : {}),
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
  };
}

function optionalTime(value: Time | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

function toApiKey(row: ApiKeyRow): StoredApiKey {
  const expiresAt = optionalTime(row.expires_at);
  const revokedAt = optionalTime(row.revoked_at);
  const lastUsedAt = optionalTime(row.last_used_at);
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    name: row.name,
    sha256: row.sha256,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    ...(expiresAt ? { expiresAt } : {}),
    ...(revokedAt ? { revokedAt } : {}),
    ...(lastUsedAt ? { lastUsedAt } : {}),
    requestsPerSecond: Number(row.requests_per_second),
    burst: Number(row.burst),
  };
}
