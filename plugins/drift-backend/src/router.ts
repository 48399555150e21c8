import {
  AuthService,
  DiscoveryService,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  driftMonitorCreatePermission,
  DriftMonitor,
  driftMonitorReadPermission,
  DriftWindow,
  driftMonitorUpdatePermission,
  driftStatusReadPermission,
} from '@internal/backstage-plugin-drift-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';
import {
  addStatusRoute,
  authorizeResource,
  checkDatabase,
  filterAuthorized,
  jsonBody,
  pluginRequestFetch,
  requirePermission,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DriftCheckRunner } from './checks/DriftCheckRunner';
import { DatabaseDriftStore } from './database';
import { driftMonitorResourceRef } from './permissionRules';
import { createOpenApiRouter } from './schema/openapi';
import { checkN8n } from './status';

const DEFAULT_WINDOW = { lastRequests: 500 };
const DEFAULT_ALPHA = 0.05;

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  store: DatabaseDriftStore;
  /** Undefined when the portal logs no inference requests: no monitor can be created. */
  runner?: DriftCheckRunner;
  n8nWebhookUrl?: string;
}): Promise<express.Router> {
  const { httpAuth, auth, discovery, permissions, store, runner } = deps;
  const ruleset = deps.permissionsRegistry.getPermissionRuleset(
    driftMonitorResourceRef,
  );
  const userCredentials = (req: { headers: unknown }) =>
    httpAuth.credentials(req as express.Request, { allow: ['user'] });

  /**
   * Ahead of the spec's validation (whose error handler turns every error into a 400): callers
   * without user credentials answer 401, and a monitor the caller may not read answers 404
   * whatever the request carries, exactly like a missing one.
   */
  const root = Router();
  // Up to 1,000 labels in one call.
  root.use(jsonBody({ maxBytes: 256 * 1024, maxDepth: 4 }));
  root.use(async (req, _res, next) => {
    await userCredentials(req);
    next();
  });
  root.use('/monitors/:id', async (req, res, next) => {
    res.locals.monitor = await authorizeResource({
      permissions,
      credentials: await userCredentials(req),
      ruleset,
      readPermission: driftMonitorReadPermission,
      resource: await store.getMonitor(req.params.id),
      notFound: `drift monitor ${req.params.id}`,
    });
    next();
  });
  const router = await createOpenApiRouter({
    // The body is parsed above, within its limits.
    middleware: [(_req, _res, next) => next()],
  });
  root.use(router);

  /** The monitor resolved above, if the caller may also change it. */
  async function updatableMonitor(
    req: { headers: unknown },
    res: { locals: object },
  ): Promise<DriftMonitor> {
    return authorizeResource({
      permissions,
      credentials: await userCredentials(req),
      ruleset,
      readPermission: driftMonitorReadPermission,
      permission: driftMonitorUpdatePermission,
      resource: resolvedMonitor(res),
      notFound: 'drift monitor',
      describe: monitor => `drift monitor '${monitor.name}'`,
    });
  }

  router.get('/monitors', async (req, res) => {
    const credentials = await userCredentials(req);
    const items = await filterAuthorized({
      permissions,
      credentials,
      permission: driftMonitorReadPermission,
      ruleset,
      items: await store.listMonitors(),
    });
    res.json({ items });
  });

  router.post('/monitors', async (req, res) => {
    const credentials = await userCredentials(req);
    await requirePermission(
      permissions,
      credentials,
      driftMonitorCreatePermission,
    );
    if (!runner) {
      throw new InputError(
        'The portal does not log inference requests (mlops.serving.inferenceLog.uri), which drift checks read: ask an administrator to turn the log on',
      );
    }
    const request = req.body;
    const window: DriftWindow = request.window ?? DEFAULT_WINDOW;
    if (
      (window.lastRequests === undefined) ===
      (window.lastMinutes === undefined)
    ) {
      throw new InputError(
        'window must give exactly one of lastRequests and lastMinutes',
      );
    }
    // The serving plugin answers for the caller: another team's deployment is a 404 there.
    const serving = new ServingClient({
      discoveryApi: discovery,
      fetchApi: pluginRequestFetch(auth, 'serving', credentials),
    });
    const deployment = await serving
      .getDeployment(request.deploymentId)
      .catch(error => {
        if (error?.name === 'ResponseError' && error.statusCode === 404) {
          throw new NotFoundError(`No deployment ${request.deploymentId}`);
        }
        throw error;
      });
    const monitor = await store.createMonitor({
      name: request.name,
      owner: deployment.owner,
      deploymentId: deployment.id,
      deploymentName: deployment.name,
      modelName: deployment.modelName,
      cluster: deployment.cluster,
      window,
      intervalMinutes: request.intervalMinutes,
      alpha: request.alpha ?? DEFAULT_ALPHA,
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(monitor);
  });

  router.get('/monitors/:id', async (_req, res) => {
    res.json(resolvedMonitor(res));
  });

  router.delete('/monitors/:id', async (req, res) => {
    const monitor = await updatableMonitor(req, res);
    await store.deleteMonitor(monitor.id);
    res.status(204).end();
  });

  router.get('/monitors/:id/checks', async (req, res) => {
    const monitor = resolvedMonitor(res);
    const items = await store.listChecks(monitor.id, req.query.limit ?? 20);
    res.json({ items });
  });

  router.post('/monitors/:id/checks', async (req, res) => {
    const monitor = await updatableMonitor(req, res);
    const credentials = await userCredentials(req);
    if (!runner) {
      throw new InputError(
        'The portal does not log inference requests (mlops.serving.inferenceLog.uri): there is nothing to check',
      );
    }
    const check = await runner.start(
      monitor,
      'manual',
      credentials.principal.userEntityRef,
    );
    res.status(202).json(check);
  });

  router.post('/monitors/:id/labels', async (req, res) => {
    const monitor = await updatableMonitor(req, res);
    const credentials = await userCredentials(req);
    const { labels } = req.body;
    const total = await store.addLabels(
      monitor.id,
      labels,
      credentials.principal.userEntityRef,
    );
    res.json({ stored: new Set(labels.map(l => l.requestId)).size, total });
  });

  router.get('/monitors/:id/checks/:checkId', async (req, res) => {
    const monitor = resolvedMonitor(res);
    const check = await store.getCheck(monitor.id, req.params.checkId);
    if (!check) {
      throw new NotFoundError(`No check ${req.params.checkId} of this monitor`);
    }
    res.json(runner ? await runner.refresh(monitor, check) : check);
  });

  addStatusRoute(router, {
    pluginId: 'drift',
    httpAuth,
    permissions,
    permission: driftStatusReadPermission,
    checks: () =>
      Promise.all([
        checkDatabase(store.knex, 'Drift database'),
        checkN8n(deps.n8nWebhookUrl),
      ]),
  });

  return root;
}

function resolvedMonitor(res: { locals: object }): DriftMonitor {
  return (res.locals as { monitor: DriftMonitor }).monitor;
}
