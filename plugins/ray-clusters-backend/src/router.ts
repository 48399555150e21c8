import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  RayCluster,
  RayClusterDetails,
  rayClusterCreatePermission,
  rayClusterDeletePermission,
  rayClusterReadPermission,
  rayClusterScalePermission,
  rayClustersStatusReadPermission,
} from '@internal/backstage-plugin-ray-clusters-common';
import {
  describeCluster,
  RayClusterAccess,
  RayClustersService,
  RayDashboardClient,
} from '@internal/backstage-plugin-ray-clusters-node';
import {
  addStatusRoute,
  authorizeResource,
  checkDatabase,
  filterAuthorized,
  requirePermission,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { ClusterRegistry } from './ClusterRegistry';
import { rayClusterResourceRef } from './permissionRules';
import { parseCreateRequest, parseScaleRequest } from './requests';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  userInfo: UserInfoService;
  rayClusters: RayClustersService;
  registry: ClusterRegistry;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, rayClusters, registry } =
    deps;
  const router = Router();
  router.use(express.json());

  const ruleset = () =>
    permissionsRegistry.getPermissionRuleset(rayClusterResourceRef);
  const userCredentials = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  /**
   * The cluster, if the caller may do `permission` on it: 404 when it does not exist or the caller
   * may not read it (the same answer, naming only what was asked for), 403 when they may read it.
   */
  async function authorizedCluster(
    req: express.Request,
    permission: ResourcePermission,
  ): Promise<RayClusterAccess> {
    return authorizeResource({
      permissions,
      credentials: await userCredentials(req),
      ruleset: ruleset(),
      readPermission: rayClusterReadPermission,
      permission,
      resource: rayClusters
        .listClusters()
        .find(c => c.name === req.params.name),
      notFound: `Ray cluster named "${req.params.name}"`,
      describe: cluster => `Ray cluster "${cluster.name}"`,
    });
  }

  /** The clusters the caller may read. */
  async function readableClusters(credentials: BackstageCredentials) {
    return filterAuthorized({
      permissions,
      credentials,
      permission: rayClusterReadPermission,
      ruleset: ruleset(),
      items: rayClusters.listClusters(),
    });
  }

  async function present(cluster: RayClusterAccess): Promise<RayCluster> {
    const stored = registry.get(cluster.name);
    return stored ? registry.toApi(stored) : describeCluster(cluster);
  }

  function provisioned(name: string) {
    const stored = registry.get(name);
    if (!stored) {
      throw new InputError(
        `Ray cluster "${name}" is defined in app-config (mlops.rayClusters.clusters) and cannot be changed through the portal`,
      );
    }
    return stored;
  }

  addStatusRoute(router, {
    pluginId: 'ray-clusters',
    httpAuth,
    permissions,
    permission: rayClustersStatusReadPermission,
    checks: async credentials => {
      const database = checkDatabase(registry.knex);
      const clusters = await Promise.all(
        (await readableClusters(credentials)).map(present),
      );
      const checks = clusters.map(cluster => ({
        name: `Ray cluster ${cluster.title}`,
        ok: cluster.state === 'ready' || cluster.state === 'stopped',
        message: cluster.message,
        version: cluster.rayVersion,
        details: cluster.resources && {
          nodes: cluster.resources.nodes,
          cpus: cluster.resources.cpus,
          gpus: cluster.resources.gpus,
        },
      }));
      if (checks.length === 0) {
        checks.push({
          name: 'Ray clusters',
          ok: false,
          message:
            'No Ray cluster of your teams is configured (mlops.rayClusters.clusters) or created',
          version: undefined,
          details: undefined,
        });
      }
      return [...checks, await database];
    },
  });

  router.get('/clusters', async (req, res) => {
    const visible = await readableClusters(await userCredentials(req));
    res.json({ items: await Promise.all(visible.map(present)) });
  });

  router.post('/clusters', async (req, res) => {
    const credentials = await userCredentials(req);
    await requirePermission(
      permissions,
      credentials,
      rayClusterCreatePermission,
    );
    const request = parseCreateRequest(req.body);
    const caller = await deps.userInfo.getUserInfo(credentials);
    const cluster = await registry.create(request, caller);
    res.status(201).json(await registry.toApi(cluster));
  });

  router.get('/clusters/:name', async (req, res) => {
    const cluster = await authorizedCluster(req, rayClusterReadPermission);
    const shown = await present(cluster);
    const details: RayClusterDetails = { ...shown, nodes: [], jobs: [] };
    if (shown.state === 'ready' && shown.dashboardUrl) {
      const client = new RayDashboardClient(
        registry.get(cluster.name)
          ? { ...cluster, dashboardUrl: shown.dashboardUrl }
          : cluster,
      );
      const [nodes, jobs] = await Promise.allSettled([
        client.getNodes(),
        client.listJobs(),
      ]);
      if (nodes.status === 'fulfilled') details.nodes = nodes.value;
      if (jobs.status === 'fulfilled') details.jobs = jobs.value;
    }
    res.json(details);
  });

  router.post('/clusters/:name/scale', async (req, res) => {
    const cluster = await authorizedCluster(req, rayClusterScalePermission);
    const request = parseScaleRequest(req.body);
    provisioned(cluster.name);
    res.json(await registry.toApi(await registry.scale(cluster.name, request)));
  });

  router.post('/clusters/:name/start', async (req, res) => {
    const cluster = await authorizedCluster(req, rayClusterScalePermission);
    provisioned(cluster.name);
    await registry.ensureRunning(cluster.name);
    res.json(await registry.toApi(provisioned(cluster.name)));
  });

  router.post('/clusters/:name/stop', async (req, res) => {
    const cluster = await authorizedCluster(req, rayClusterScalePermission);
    provisioned(cluster.name);
    res.json(await registry.toApi(await registry.stop(cluster.name)));
  });

  router.delete('/clusters/:name', async (req, res) => {
    const cluster = await authorizedCluster(req, rayClusterDeletePermission);
    provisioned(cluster.name);
    await registry.delete(cluster.name);
    res.json({ name: cluster.name, deleted: true });
  });

  return router;
}
