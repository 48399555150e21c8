import {
  AuthService,
  DiscoveryService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { ExperimentsClient } from '@internal/backstage-plugin-experiments-common';
import {
  monitoringPlatformReadPermission,
  monitoringStatusReadPermission,
} from '@internal/backstage-plugin-monitoring-common';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';
import {
  addStatusRoute,
  pluginRequestFetch,
  PrometheusClient,
  rangeBetween,
  requirePermission,
  windowRange,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import {
  clusterChartQueries,
  platformChartQueries,
} from './charts/chartQueries';
import { readCharts } from './charts/readCharts';
import { createOpenApiRouter } from './schema/openapi';

/** A 404 of the plugin that owns a resource: the caller may not see it, or it does not exist. */
function isNotFound(error: unknown): boolean {
  const { name, statusCode } = (error ?? {}) as {
    name?: unknown;
    statusCode?: unknown;
  };
  return name === 'ResponseError' && statusCode === 404;
}

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  prometheus?: PrometheusClient;
}): Promise<express.Router> {
  const { httpAuth, auth, discovery, permissions, prometheus } = deps;

  /** The owning plugin's answer for the caller, or a 404 like the owner's for what they may not see. */
  async function asCaller<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`${what} not found`);
      throw error;
    }
  }

  const root = Router();
  // Users only, ahead of the spec's validation, whose error handler turns every error into a 400.
  root.use(async (req, _res, next) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    next();
  });
  const router = await createOpenApiRouter();
  root.use(router);

  const userCredentials = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/clusters/:name/charts', async (req, res) => {
    const credentials = await userCredentials(req);
    const { name } = req.params;
    const clusters = new RayClustersClient({
      discoveryApi: discovery,
      fetchApi: pluginRequestFetch(auth, 'ray-clusters', credentials),
    });
    const cluster = await asCaller(`Ray cluster "${name}"`, () =>
      clusters.getCluster(name),
    );
    res.json(
      await readCharts(
        prometheus,
        clusterChartQueries(name, {
          gpus: (cluster.resources?.gpus ?? 0) > 0,
        }),
        windowRange(req.query.window ?? '1h'),
      ),
    );
  });

  router.get('/jobs/:id/charts', async (req, res) => {
    const credentials = await userCredentials(req);
    const { id } = req.params;
    const experiments = new ExperimentsClient({
      discoveryApi: discovery,
      fetchApi: pluginRequestFetch(auth, 'experiments', credentials),
    });
    const job = await asCaller(`job ${id}`, () => experiments.getJob(id));
    const start = new Date(job.startedAt ?? job.createdAt);
    const end = job.finishedAt ? new Date(job.finishedAt) : new Date();
    res.json(
      await readCharts(
        prometheus,
        job.startedAt
          ? clusterChartQueries(job.config.cluster, {
              gpus: job.config.resources.useGpu,
            })
          : [],
        rangeBetween(start, end),
      ),
    );
  });

  router.get('/platform/charts', async (req, res) => {
    const credentials = await userCredentials(req);
    await requirePermission(
      permissions,
      credentials,
      monitoringPlatformReadPermission,
    );
    const range = windowRange(req.query.window ?? '1h');
    res.json(
      await readCharts(
        prometheus,
        platformChartQueries(range.stepSeconds),
        range,
      ),
    );
  });

  addStatusRoute(router, {
    pluginId: 'monitoring',
    httpAuth,
    permissions,
    permission: monitoringStatusReadPermission,
    checks: async () => [await checkPrometheus(prometheus)],
  });

  return root;
}

async function checkPrometheus(prometheus: PrometheusClient | undefined) {
  if (!prometheus) {
    return {
      name: 'Prometheus',
      ok: false,
      message: 'not configured (mlops.monitoring.prometheus.baseUrl)',
    };
  }
  try {
    const [up] = await prometheus.query('count(up == 1)');
    return {
      name: 'Prometheus',
      ok: true,
      message: `up, ${up?.value ?? 0} targets answering`,
    };
  } catch (error) {
    return { name: 'Prometheus', ok: false, message: (error as Error).message };
  }
}
