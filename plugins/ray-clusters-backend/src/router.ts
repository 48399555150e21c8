import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
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
  RayClusterConfig,
  RayClustersService,
  RayDashboardClient,
} from '@internal/backstage-plugin-ray-clusters-node';
import {
  addStatusRoute,
  checkDatabase,
  filterAuthorized,
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

  /** The cluster, if the caller may do `permission` on it: 404 unknown, 403 not allowed. */
  async function authorizedCluster(
    req: express.Request,
    permission: ResourcePermission,
  ): Promise<RayClusterConfig> {
    const credentials = await userCredentials(req);
    const cluster = rayClusters
      .listClusters()
      .find(c => c.name === req.params.name);
    if (!cluster) {
      throw new NotFoundError(`No Ray cluster named "${req.params.name}"`);
    }
    const allowed = await filterAuthorized({
      permissions,
      credentials,
      permission,
      ruleset: ruleset(),
      items: [cluster],
    });
    if (allowed.length === 0) {
      throw new NotAllowedError(
        `You may not ${permission.name.split('.').pop()} Ray cluster "${
          cluster.name
        }": it belongs to another team`,
      );
    }
    return cluster;
  }

  async function authorizeBasic(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ) {
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  }

  async function present(cluster: RayClusterConfig): Promise<RayCluster> {
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
    checks: async () => {
      const database = checkDatabase(registry.knex);
      const clusters = await Promise.all(
        rayClusters.listClusters().map(present),
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
            'No Ray cluster is configured (mlops.rayClusters.clusters) or created',
          version: undefined,
          details: undefined,
        });
      }
      return [...checks, await database];
    },
  });

  router.get('/clusters', async (req, res) => {
    const credentials = await userCredentials(req);
    const visible = await filterAuthorized({
      permissions,
      credentials,
      permission: rayClusterReadPermission,
      ruleset: ruleset(),
      items: rayClusters.listClusters(),
    });
    res.json({ items: await Promise.all(visible.map(present)) });
  });

  router.post('/clusters', async (req, res) => {
    const credentials = await userCredentials(req);
    await authorizeBasic(credentials, rayClusterCreatePermission);
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
