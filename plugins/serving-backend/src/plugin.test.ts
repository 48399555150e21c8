import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import {
  closedPortUrl,
  requireTestService,
  TestMetrics,
} from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import { servingPlugin } from './plugin';

// A real Ray head started by the test command.
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let metrics: TestMetrics;
beforeEach(() => {
  metrics = new TestMetrics();
});
afterEach(() => metrics.shutdown());

async function startBackend(
  options: { clusters?: object[]; permissions?: ServiceFactory } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const clusters = options.clusters ?? [
    {
      name: 'local',
      owner: 'group:default/team-a',
      dashboardUrl: rayUrl,
      token: rayToken,
    },
  ];
  const { server } = await startTestBackend({
    features: [
      servingPlugin,
      metrics.factory(),
      options.permissions ?? mockServices.permissions.factory(),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: { mlops: { rayClusters: { clusters } } },
      }),
    ],
  });
  const store = await DatabaseDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  return { server, store };
}

function deployment(
  name: string,
  owner: string,
  createdAt: string,
): ModelDeployment {
  return {
    id: randomUUID(),
    name,
    owner,
    modelName: 'mnist-cnn',
    modelVersion: '1',
    cluster: 'local',
    state: 'DEPLOYING',
    versions: [{ version: '1', weight: 100 }],
    createdAt,
    updatedAt: createdAt,
  };
}

describe('serving backend', () => {
  it('reports the Serve API of each real cluster, and why others fail', async () => {
    const gone = await closedPortUrl();
    const { server } = await startBackend({
      clusters: [
        {
          name: 'local',
          title: 'Local Ray',
          owner: 'group:default/team-a',
          dashboardUrl: rayUrl,
          token: rayToken,
        },
        { name: 'gone', owner: 'group:default/team-b', dashboardUrl: gone },
        {
          name: 'wrong-token',
          owner: 'group:default/team-b',
          dashboardUrl: rayUrl,
          token: 'not-the-token',
        },
      ],
    });
    const res = await request(server).get('/api/serving/status').expect(200);
    const [local, unreachable, wrongToken, database] = (
      res.body as PluginStatus
    ).dependencies;

    expect(local).toEqual({
      name: 'Ray Serve on Local Ray',
      ok: true,
      message: expect.stringMatching(
        /^The Serve API answers: \d+ of \d+ application\(s\) running$/,
      ),
      details: {
        applications: expect.any(Number),
        running: expect.any(Number),
      },
    });
    expect(unreachable).toMatchObject({
      name: 'Ray Serve on gone',
      ok: false,
      message: expect.stringContaining(`Ray at ${gone} is unreachable`),
    });
    expect(wrongToken).toMatchObject({
      ok: false,
      message: expect.stringContaining('refused the token'),
    });
    expect(database).toEqual({
      name: 'Serving database',
      ok: true,
      message: 'The database answers',
    });
  }, 30_000);

  it('says so when no Ray cluster is configured', async () => {
    const { server } = await startBackend({ clusters: [] });
    const res = await request(server).get('/api/serving/status').expect(200);

    expect(res.body.dependencies[0]).toEqual({
      name: 'Ray Serve',
      ok: false,
      message: 'No Ray cluster is configured (mlops.rayClusters.clusters)',
    });
  });

  it("checks only the caller's team's clusters, and says when the team has none", async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async requests =>
        requests.map(({ permission }) => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'ray-clusters',
          resourceType: (permission as { resourceType: string }).resourceType,
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: (permission as { resourceType: string }).resourceType,
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    });
    const { server } = await startBackend({
      permissions: permissions.factory,
    });
    const res = await request(server).get('/api/serving/status').expect(200);

    expect(res.body.dependencies[0]).toEqual({
      name: 'Ray Serve',
      ok: false,
      message:
        'Your team has no Ray cluster to serve models on: create one on the Ray clusters page',
    });
    expect(JSON.stringify(res.body)).not.toContain('Ray Serve on');
  });

  it('lists stored deployments, newest first, up to the limit', async () => {
    const { server, store } = await startBackend();
    await request(server)
      .get('/api/serving/deployments')
      .expect(200, { items: [] });

    const older = deployment(
      'mnist-v1',
      'group:default/team-a',
      '2026-01-01T10:00:00.000Z',
    );
    const newer = {
      ...deployment(
        'mnist-v2',
        'group:default/team-a',
        '2026-01-02T10:00:00.000Z',
      ),
      state: 'HEALTHY' as const,
      modelVersion: '2',
      endpoint: 'http://127.0.0.1:8000/mnist',
    };
    await store.insertDeployment(older);
    await store.insertDeployment(newer);

    const all = await request(server)
      .get('/api/serving/deployments')
      .expect(200);
    expect(all.body.items).toEqual([newer, older]);
    const one = await request(server)
      .get('/api/serving/deployments?limit=1')
      .expect(200);
    expect(one.body.items).toEqual([newer]);

    // The same deployments, counted by state for Prometheus.
    expect(
      await metrics.value('mlops_model_deployments', { state: 'DEPLOYING' }),
    ).toBe(1);
    expect(
      await metrics.value('mlops_model_deployments', { state: 'HEALTHY' }),
    ).toBe(1);
    expect(
      await metrics.value('mlops_model_deployments', { state: 'UNHEALTHY' }),
    ).toBe(0);
  });

  it('shows a team only its own deployments when the policy grants by ownership', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'serving',
          resourceType: 'model-deployment',
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: 'model-deployment',
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    });
    const { server, store } = await startBackend({
      permissions: permissions.factory,
    });
    await store.insertDeployment(
      deployment('a', 'group:default/team-a', '2026-01-01T10:00:00Z'),
    );
    await store.insertDeployment(
      deployment('b', 'group:default/team-b', '2026-01-02T10:00:00Z'),
    );
    await store.insertDeployment(
      deployment('c', 'user:default/mock', '2026-01-03T10:00:00Z'),
    );

    const res = await request(server)
      .get('/api/serving/deployments')
      .expect(200);
    expect(res.body.items.map((d: ModelDeployment) => d.name)).toEqual([
      'c',
      'b',
    ]);
  });

  it('rejects a limit that is not an integer from 1 to 100', async () => {
    const { server } = await startBackend();
    for (const limit of ['0', '101', '2.5', 'ten', '']) {
      const res = await request(server).get(
        `/api/serving/deployments?limit=${limit}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/limit/);
    }
  });

  it('refuses callers that are not signed-in users', async () => {
    const { server } = await startBackend();
    const anonymous = await request(server)
      .get('/api/serving/deployments')
      .set('Authorization', 'Bearer mock-none-token');
    const service = await request(server)
      .get('/api/serving/status')
      .set('Authorization', 'Bearer mock-service-token');

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
  });

  it('denies the status route and hides all deployments when the policy denies', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server, store } = await startBackend({
      permissions: permissions.factory,
    });
    await store.insertDeployment(
      deployment('a', 'user:default/mock', '2026-01-01T10:00:00Z'),
    );

    const status = await request(server).get('/api/serving/status');
    expect(status.status).toBe(403);
    expect(status.body.error.message).toContain('serving.status.read');
    await request(server)
      .get('/api/serving/deployments')
      .expect(200, { items: [] });
  });
});
