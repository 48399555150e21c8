import {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  isError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  rayClusterReadPermission,
  rayClusterUsePermission,
} from '@internal/backstage-plugin-ray-clusters-common';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';
import {
  ApiKey,
  CreateDeploymentRequest,
  modelDeploymentCreatePermission,
  modelDeploymentDeletePermission,
  ModelDeploymentDetails,
  modelDeploymentReadPermission,
  modelDeploymentUpdatePermission,
  Scaling,
  servingStatusReadPermission,
} from '@internal/backstage-plugin-serving-common';
import {
  addStatusRoute,
  authorizedOwnerQuery,
  authorizeResource,
  checkDatabase,
  filterOwnedItems,
  jsonBody,
  PrometheusClient,
  requirePermission,
  resolveOwner,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { randomUUID } from 'node:crypto';
import {
  DatabaseDeploymentStore,
  StoredApiKey,
} from './database/DatabaseDeploymentStore';
import { modelDeploymentResourceRef } from './permissionRules';
import { createOpenApiRouter } from './schema/openapi';
import { DeploymentSync, observationChanged } from './serve/DeploymentSync';
import { generateApiKey, hashApiKey } from './service/apiKeys';
import { readDeploymentMetrics } from './service/deploymentMetrics';
import { ModelRegistry } from './service/ModelRegistry';
import {
  challengers,
  promote,
  rollback,
  setTraffic,
  weightsOf,
} from './service/traffic';
import { checkRayServe } from './status';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  logger: LoggerService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  rayClusters: RayClustersService;
  store: DatabaseDeploymentStore;
  sync: DeploymentSync;
  registry: ModelRegistry;
  prometheus?: PrometheusClient;
}): Promise<express.Router> {
  const { httpAuth, permissions, rayClusters, store, sync, logger, registry } =
    deps;
  const ruleset = deps.permissionsRegistry.getPermissionRuleset(
    modelDeploymentResourceRef,
  );

  async function userCredentials(req: { headers: unknown }) {
    return httpAuth.credentials(req as express.Request, { allow: ['user'] });
  }

  /**
   * The caller, where `GET /deployments` and `GET /deployments/{id}` also admit backend services
   * (the catalog's deployment provider); every other route is for users only.
   */
  async function callerCredentials(req: {
    method: string;
    baseUrl: string;
    path: string;
    headers: unknown;
  }) {
    const serviceRead =
      req.method === 'GET' &&
      /\/deployments(\/[^/]+)?\/?$/.test(`${req.baseUrl}${req.path}`);
    return httpAuth.credentials(req as express.Request, {
      allow: serviceRead ? ['user', 'service'] : ['user'],
    });
  }

  /**
   * Ahead of the spec's validation (whose error handler turns every error into a 400): callers
   * without user credentials answer 401, and a deployment the caller may not read answers 404
   * whatever the request carries, exactly like a missing one.
   */
  const root = Router();
  root.use(jsonBody({ maxBytes: 64 * 1024, maxDepth: 8 }));
  root.use(async (req, _res, next) => {
    await callerCredentials(req);
    next();
  });
  root.use('/deployments/:id', async (req, res, next) => {
    const credentials = await callerCredentials(req);
    res.locals.deployment = await authorizeResource({
      permissions,
      credentials,
      ruleset,
      readPermission: modelDeploymentReadPermission,
      resource: await store.getDeployment(req.params.id),
      notFound: `deployment ${req.params.id}`,
    });
    next();
  });
  const router = await createOpenApiRouter({
    // The body is parsed above, within its limits.
    middleware: [(_req, _res, next) => next()],
  });
  root.use(router);

  /** The deployment resolved above, if the caller may also act on it under `permission`. */
  async function authorizedDeployment(
    req: { headers: unknown; params: { id: string } },
    res: { locals: object },
    permission: ResourcePermission,
  ): Promise<{
    deployment: ModelDeploymentDetails;
    actor: string;
  }> {
    const credentials = await userCredentials(req);
    const deployment = await authorizeResource({
      permissions,
      credentials,
      ruleset,
      readPermission: modelDeploymentReadPermission,
      permission,
      resource: resolvedDeployment(res),
      notFound: `deployment ${req.params.id}`,
      describe: d => `deployment "${d.name}"`,
    });
    return { deployment, actor: credentials.principal.userEntityRef };
  }

  /** Brings Ray Serve in line; a failure leaves the change stored and says why in the state. */
  async function syncNow(
    deployment: ModelDeploymentDetails,
  ): Promise<ModelDeploymentDetails> {
    try {
      const { replicasSettled: _, ...observed } = await sync.sync(deployment);
      await store.setObservedState(deployment.id, {
        ...observed,
        syncPending: false,
      });
      return { ...deployment, ...observed };
    } catch (error) {
      if (!isError(error)) throw error;
      const message = `Ray Serve on cluster "${deployment.cluster}" has not taken the change yet (retrying): ${error.message}`;
      logger.warn(`Deployment ${deployment.id}: ${message}`);
      await store.setObservedState(deployment.id, {
        state: 'UNHEALTHY',
        message,
        syncPending: true,
      });
      return { ...deployment, state: 'UNHEALTHY', message };
    }
  }

  /**
   * Moves the MLflow aliases of the registered model after a change that is stored and sent to
   * Ray: `champion` to the deployment's champion, `challenger` to its challenger (removed when
   * it has none).
   */
  async function moveAliases(
    before: ModelDeploymentDetails | undefined,
    after: ModelDeploymentDetails,
  ) {
    const moves: Array<['champion' | 'challenger', string | undefined]> = [];
    if (before?.modelVersion !== after.modelVersion) {
      moves.push(['champion', after.modelVersion]);
    }
    const challenger = challengers(after)[0];
    if (
      before ? challengers(before)[0] !== challenger : challenger !== undefined
    ) {
      moves.push(['challenger', challenger]);
    }
    for (const [alias, version] of moves) {
      try {
        await registry.setAlias(after.modelName, alias, version);
      } catch (error) {
        if (!isError(error)) throw error;
        throw new ServiceUnavailableError(
          `The change of deployment "${after.name}" is in effect, but the MLflow alias "${alias}" of "${after.modelName}" was not moved: ${error.message}`,
        );
      }
    }
  }

  /** Each version a traffic change adds (as weight or shadow) must be the team's in MLflow. */
  async function checkNewVersions(
    deployment: ModelDeploymentDetails,
    request: { weights: Record<string, number>; shadow?: { version: string } },
  ) {
    const known = new Set(deployment.versions.map(v => v.version));
    const added = new Set(
      [...Object.keys(request.weights), request.shadow?.version].filter(
        (v): v is string => v !== undefined && !known.has(v),
      ),
    );
    for (const version of added) {
      await registry.checkVersion(
        deployment.owner,
        deployment.modelName,
        version,
      );
    }
  }

  addStatusRoute(router, {
    pluginId: 'serving',
    httpAuth,
    permissions,
    permission: servingStatusReadPermission,
    checks: async credentials => [
      ...(await checkRayServe(
        rayClusters,
        await filterOwnedItems({
          permissions,
          credentials,
          permission: rayClusterReadPermission,
          items: rayClusters.listClusters(),
        }),
      )),
      await checkDatabase(store.knex, 'Serving database'),
    ],
  });

  router.get('/deployments', async (req, res) => {
    const credentials = await callerCredentials(req);
    const filter = await authorizedOwnerQuery({
      permissions,
      credentials,
      permission: modelDeploymentReadPermission,
      ruleset,
    });
    const limit = Number(req.query.limit ?? 20);
    const offset = Number(req.query.offset ?? 0);
    res.json({
      items: await store.listDeployments({ filter, limit, offset }),
    });
  });

  router.post('/deployments', async (req, res) => {
    const credentials = await userCredentials(req);
    await requirePermission(
      permissions,
      credentials,
      modelDeploymentCreatePermission,
    );
    const request = req.body;
    const scaling = parseScaling(request);
    const owner = await resolveOwner(
      deps.userInfo,
      credentials,
      request.owner,
      'deployment',
    );
    await requireTeamCluster(credentials, owner, request.cluster);
    await registry.checkVersion(owner, request.modelName, request.modelVersion);
    const now = new Date().toISOString();
    const deployment: ModelDeploymentDetails = {
      id: randomUUID(),
      name: request.name,
      owner,
      modelName: request.modelName,
      modelVersion: request.modelVersion,
      cluster: request.cluster,
      state: 'DEPLOYING',
      versions: [{ version: request.modelVersion, weight: 100 }],
      scaling,
      resources: { cpus: request.cpus ?? 1, gpus: request.gpus ?? 0 },
      createdBy: credentials.principal.userEntityRef,
      createdAt: now,
      updatedAt: now,
    };
    await store.insertDeployment(deployment, {
      actor: credentials.principal.userEntityRef,
      action: 'created',
      details: {
        modelName: deployment.modelName,
        modelVersion: deployment.modelVersion,
        cluster: deployment.cluster,
        scaling,
        resources: deployment.resources,
      },
      reason: request.reason,
    });
    const synced = await syncNow(deployment);
    await moveAliases(undefined, synced);
    res.status(201).json(synced);
  });

  /** The deployment owner's team must own the cluster, and the caller may use it. */
  async function requireTeamCluster(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
    owner: string,
    cluster: string,
  ) {
    const usable = await filterOwnedItems({
      permissions,
      credentials,
      permission: rayClusterUsePermission,
      items: rayClusters.listClusters(),
    });
    if (!usable.some(c => c.name === cluster && c.owner === owner)) {
      throw new NotFoundError(`${owner} has no Ray cluster named "${cluster}"`);
    }
  }

  router.get('/deployments/:id', async (_req, res) => {
    const deployment = resolvedDeployment(res);
    try {
      const { replicasSettled: _, ...observed } = await sync.observe(
        deployment,
      );
      // Reads are frequent (the page polls, the catalog refreshes): write only what changed.
      if (observationChanged(deployment, observed)) {
        await store.setObservedState(deployment.id, observed);
      }
      res.json({ ...deployment, ...observed });
    } catch (error) {
      if (!isError(error)) throw error;
      // Ray cannot be asked now: the last known state stands.
      res.json(deployment);
    }
  });

  router.delete('/deployments/:id', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentDeletePermission,
    );
    try {
      await sync.remove(deployment);
    } catch (error) {
      if (!isError(error)) throw error;
      const message = `Ray Serve on cluster "${deployment.cluster}" could not remove it: ${error.message}`;
      await store.setObservedState(deployment.id, {
        state: 'DELETING',
        message,
      });
      throw new ServiceUnavailableError(`${message}; try again`);
    }
    await store.deleteDeployment(deployment.id, {
      actor,
      action: 'deleted',
      details: {
        name: deployment.name,
        cluster: deployment.cluster,
        modelName: deployment.modelName,
        weights: weightsOf(deployment),
      },
      reason: req.query.reason,
    });
    res.status(204).end();
  });

  router.get('/deployments/:id/keys', async (_req, res) => {
    const deployment = resolvedDeployment(res);
    const keys = await store.listApiKeys(deployment.id);
    res.json({ items: keys.map(publicKey) });
  });

  router.post('/deployments/:id/keys', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentUpdatePermission,
    );
    const request = req.body;
    if (
      request.expiresAt !== undefined &&
      !(Date.parse(request.expiresAt) > Date.now())
    ) {
      throw new InputError(
        `expiresAt must be a time in the future, not ${request.expiresAt}`,
      );
    }
    const requestsPerSecond = request.requestsPerSecond ?? 10;
    const key = generateApiKey();
    const stored: StoredApiKey = {
      id: randomUUID(),
      deploymentId: deployment.id,
      name: request.name,
      sha256: hashApiKey(key),
      createdBy: actor,
      createdAt: new Date().toISOString(),
      ...(request.expiresAt
        ? { expiresAt: new Date(request.expiresAt).toISOString() }
        : {}),
      requestsPerSecond,
      burst: request.burst ?? Math.max(1, Math.ceil(2 * requestsPerSecond)),
    };
    await store.insertApiKey(stored, {
      actor,
      action: 'key-created',
      details: {
        keyId: stored.id,
        name: stored.name,
        expiresAt: stored.expiresAt ?? null,
        requestsPerSecond: stored.requestsPerSecond,
        burst: stored.burst,
      },
      reason: request.reason,
    });
    await syncNow(deployment);
    res.status(201).json({ ...publicKey(stored), key });
  });

  router.delete('/deployments/:id/keys/:keyId', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentUpdatePermission,
    );
    const revoked = await store.revokeApiKey(deployment.id, req.params.keyId, {
      actor,
      action: 'key-revoked',
      details: { keyId: req.params.keyId },
    });
    if (!revoked) {
      throw new NotFoundError(
        `No API key ${req.params.keyId} on deployment ${req.params.id}`,
      );
    }
    await syncNow(deployment);
    res.status(204).end();
  });

  router.put('/deployments/:id/traffic', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentUpdatePermission,
    );
    const request = req.body;
    // The rules first (a 400 for bad weights before MLflow is asked), then MLflow.
    setTraffic(deployment, request);
    await checkNewVersions(deployment, request);
    let before: ModelDeploymentDetails | undefined;
    const updated = await store.updateDeployment(deployment.id, current => {
      before = current;
      const next = setTraffic(current, request);
      return {
        deployment: next,
        change: {
          actor,
          action: 'traffic-changed',
          details: {
            from: weightsOf(current),
            to: weightsOf(next),
            shadow: next.shadow ?? null,
          },
          reason: request.reason,
        },
      };
    });
    const synced = await syncNow(stillThere(updated, req.params.id));
    await moveAliases(before, synced);
    res.json(synced);
  });

  router.post('/deployments/:id/promote', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentUpdatePermission,
    );
    let before: ModelDeploymentDetails | undefined;
    const updated = await store.updateDeployment(deployment.id, current => {
      before = current;
      const next = promote(current);
      return {
        deployment: next,
        change: {
          actor,
          action: 'promoted',
          details: {
            champion: next.modelVersion,
            previousChampion: current.modelVersion,
            from: weightsOf(current),
          },
          reason: req.body?.reason,
        },
      };
    });
    const synced = await syncNow(stillThere(updated, req.params.id));
    await moveAliases(before, synced);
    res.json(synced);
  });

  router.post('/deployments/:id/rollback', async (req, res) => {
    const { deployment, actor } = await authorizedDeployment(
      req,
      res,
      modelDeploymentUpdatePermission,
    );
    let before: ModelDeploymentDetails | undefined;
    const updated = await store.updateDeployment(deployment.id, current => {
      before = current;
      const next = rollback(current, req.body.version);
      return {
        deployment: next,
        change: {
          actor,
          action: 'rolled-back',
          details: {
            version: next.modelVersion,
            previousChampion: current.modelVersion,
            from: weightsOf(current),
          },
          reason: req.body.reason,
        },
      };
    });
    const synced = await syncNow(stillThere(updated, req.params.id));
    await moveAliases(before, synced);
    res.json(synced);
  });

  router.get('/deployments/:id/history', async (req, res) => {
    const deployment = resolvedDeployment(res);
    const limit = Number(req.query.limit ?? 50);
    res.json({ items: await store.listHistory(deployment.id, limit) });
  });

  router.get('/deployments/:id/metrics', async (req, res) => {
    const metrics = await readDeploymentMetrics(
      deps.prometheus,
      resolvedDeployment(res),
      req.query.window ?? '1h',
    );
    res.json(metrics);
  });

  return root;
}

/** Replicas or autoscaling, not both; one replica when neither is given. */
function parseScaling(request: CreateDeploymentRequest): Scaling {
  const { replicas, autoscaling } = request;
  if (replicas !== undefined && autoscaling !== undefined) {
    throw new InputError('Give either replicas or autoscaling, not both');
  }
  if (autoscaling) {
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
      throw new InputError(
        `autoscaling.minReplicas (${autoscaling.minReplicas}) must not exceed autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
      );
    }
    return {
      autoscaling: {
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        targetOngoingRequests: autoscaling.targetOngoingRequests ?? 2,
      },
    };
  }
  return { replicas: replicas ?? 1 };
}

/** The deployment the middleware resolved for a `/deployments/:id` route. */
function resolvedDeployment(res: { locals: object }): ModelDeploymentDetails {
  return (res.locals as { deployment: ModelDeploymentDetails }).deployment;
}

function stillThere(
  deployment: ModelDeploymentDetails | undefined,
  id: string,
): ModelDeploymentDetails {
  if (!deployment) {
    // Deleted between the authorization and the change.
    throw new ConflictError(`Deployment ${id} was deleted meanwhile`);
  }
  return deployment;
}

function publicKey(key: StoredApiKey): ApiKey {
  const { sha256: _sha256, deploymentId: _deploymentId, ...rest } = key;
  return rest;
}
