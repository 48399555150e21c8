import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The real ray-clusters plugin decides what each user may see of a cluster.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import rayClustersPlugin from '@internal/backstage-plugin-ray-clusters-backend';
import {
  PrometheusClient,
  rangeBetween,
  requireTestService,
} from '@internal/mlops-node';
import {
  alice,
  bob,
  TEAM_A,
  teamServices,
} from '@internal/mlops-node/testUtils';
import request from 'supertest';
import { clusterChartQueries } from './charts/chartQueries';
import { monitoringPlugin } from './plugin';

// The test stack's real Ray head, scraped by its real Prometheus as ray_cluster="local".
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');
const prometheusUrl = requireTestService('MLOPS_TEST_PROMETHEUS_URL');

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const JOB_ID = '11111111-2222-4333-8444-555555555555';
/**
 * The experiments plugin's `GET /jobs/:id` as the monitoring plugin reads it (the real one needs
 * MLflow and a queue; it is walked with real sign-in by packages/backend's isolation test):
 * alice's job, run on cluster "local" a minute ago, and a 404 for anybody else.
 */
const experimentsStandIn = createBackendPlugin({
  pluginId: 'experiments',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        httpRouter.use(async (req, res) => {
          const { principal } = await httpAuth.credentials(req, {
            allow: ['user'],
          });
          if (
            req.path === `/jobs/${JOB_ID}` &&
            principal.userEntityRef === 'user:default/alice'
          ) {
            const startedAt = new Date(Date.now() - 60_000).toISOString();
            res.json({
              id: JOB_ID,
              createdAt: startedAt,
              startedAt,
              config: { cluster: 'local', resources: { useGpu: false } },
            });
            return;
          }
          res.status(404).json({
            error: { name: 'NotFoundError', message: 'no such job' },
            request: { method: req.method, url: req.url },
            response: { statusCode: 404 },
          });
        });
      },
    });
  },
});

async function startBackend(monitoring?: object) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      monitoringPlugin,
      rayClustersPlugin,
      experimentsStandIn,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            rayClusters: {
              clusters: [
                {
                  name: 'local',
                  owner: TEAM_A,
                  driver: 'local',
                  dashboardUrl: rayUrl,
                  token: rayToken,
                },
              ],
            },
            ...(monitoring && { monitoring }),
          },
        },
      }),
      ...teamServices(),
    ],
  });
  return server;
}

type Charts = {
  start: string;
  end: string;
  stepSeconds: number;
  charts: {
    id: string;
    unit: string;
    series: { name: string; points: { t: number; v: number }[] }[];
  }[];
};

describe('monitoring charts from a real Prometheus', () => {
  let server: any;
  beforeAll(async () => {
    server = await startBackend({ prometheus: { baseUrl: prometheusUrl } });
  });
  const get = (who: string, url: string) =>
    request(server).get(`/api/monitoring${url}`).set('Authorization', who);

  it("charts a team's own cluster as Prometheus answers", async () => {
    const res = await get(alice, '/clusters/local/charts?window=15m').expect(
      200,
    );
    const body = res.body as Charts;
    // The test cluster has no GPU: no GPU chart.
    expect(body.charts.map(c => [c.id, c.unit])).toEqual([
      ['cpu', 'percent'],
      ['memory', 'bytes'],
    ]);
    const cpu = body.charts[0].series;
    expect(cpu).toHaveLength(1);
    expect(cpu[0].points.length).toBeGreaterThan(10);
    for (const { v } of cpu[0].points) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }
    const memory = body.charts[1].series.map(s => s.name).sort();
    expect(memory).toEqual(['total', 'used']);

    // The same query, straight to Prometheus over the same range: the same points.
    const direct = await new PrometheusClient(prometheusUrl).queryRange(
      clusterChartQueries('local')[0].query,
      {
        start: new Date(body.start),
        end: new Date(body.end),
        stepSeconds: body.stepSeconds,
      },
    );
    const settled = Date.parse(body.end) - 20_000;
    expect(cpu[0].points.filter(p => p.t < settled)).toEqual(
      direct[0].points
        .map(([t, v]) => ({ t: t * 1000, v }))
        .filter(p => p.t < settled),
    );
  });

  it("answers another team's cluster exactly as a missing one", async () => {
    const theirs = await get(bob, '/clusters/local/charts');
    const missing = await get(bob, '/clusters/nowhere/charts');
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.error.message).toBe('Ray cluster "local" not found');
    expect(missing.body.error.message).toBe('Ray cluster "nowhere" not found');
  });

  it("charts the job's cluster over the job's run, for its team only", async () => {
    const res = await get(alice, `/jobs/${JOB_ID}/charts`).expect(200);
    const body = res.body as Charts;
    const span = Date.parse(body.end) - Date.parse(body.start);
    expect(span).toBeGreaterThanOrEqual(59_000);
    expect(span).toBeLessThan(120_000);
    expect(body.stepSeconds).toBe(
      rangeBetween(new Date(body.start), new Date(body.end)).stepSeconds,
    );
    expect(body.charts.map(c => c.id)).toEqual(['cpu', 'memory']);
    expect(body.charts[0].series[0].points.length).toBeGreaterThan(3);
    await get(bob, `/jobs/${JOB_ID}/charts`).expect(404);
  });

  it('charts the platform for everyone, naming no team', async () => {
    const res = await get(bob, '/platform/charts?window=15m').expect(200);
    const body = res.body as Charts;
    expect(body.charts.map(c => c.id)).toEqual([
      'jobs',
      'queue-age',
      'inference-rate',
      'ray-targets',
    ]);
    const targets = body.charts.find(c => c.id === 'ray-targets')!;
    expect(
      targets.series.find(s => s.name === 'up')?.points.length,
    ).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/team-a|local/);
  });

  it('checks a window against the spec and refuses callers without a user token', async () => {
    const bad = await get(alice, '/platform/charts?window=2d').expect(400);
    expect(bad.body.error.message).toMatch(/window/);
    await request(server)
      .get('/api/monitoring/platform/charts')
      .set('Authorization', 'Bearer mock-none-token')
      .expect(401);
    await request(server)
      .get('/api/monitoring/platform/charts')
      .set('Authorization', 'Bearer mock-service-token')
      .expect(403);
  });

  it('says Prometheus answers on the status route', async () => {
    const res = await get(alice, '/status').expect(200);
    expect(res.body.dependencies).toEqual([
      expect.objectContaining({ name: 'Prometheus', ok: true }),
    ]);
  });
});

describe('monitoring without Prometheus', () => {
  it('answers 503 naming the setting', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/monitoring/clusters/local/charts')
      .set('Authorization', alice)
      .expect(503);
    expect(res.body.error.message).toContain(
      'mlops.monitoring.prometheus.baseUrl',
    );
  });
});
