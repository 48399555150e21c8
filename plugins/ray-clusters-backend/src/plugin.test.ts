import { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import { closedPortUrl, requireTestService } from '@internal/mlops-node';
import request from 'supertest';
import { rayClustersPlugin } from './plugin';

// A real Ray head started by the test command, and an address where nothing listens.
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');
let goneUrl: string;
beforeAll(async () => {
  goneUrl = await closedPortUrl();
});

const clusters = () => [
  {
    name: 'local',
    owner: 'group:default/team-a',
    driver: 'local',
    dashboardUrl: rayUrl,
    token: rayToken,
  },
  {
    name: 'gone',
    owner: 'group:default/team-b',
    driver: 'external',
    dashboardUrl: goneUrl,
  },
  {
    name: 'wrong-token',
    owner: 'group:default/team-b',
    dashboardUrl: rayUrl,
    token: 'not-the-token',
  },
];

async function startBackend(
  permissions: ServiceFactory = mockServices.permissions.factory(),
) {
  const { server } = await startTestBackend({
    features: [
      rayClustersPlugin,
      permissions,
      mockServices.rootConfig.factory({
        data: { mlops: { rayClusters: { clusters: clusters() } } },
      }),
    ],
  });
  return server;
}

describe('ray-clusters backend', () => {
  it('reports Ray version and resources from the real cluster, and why others fail', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/ray-clusters/status')
      .expect(200);
    const status = res.body as PluginStatus;
    const [local, gone, wrongToken] = status.dependencies;

    expect(local.ok).toBe(true);
    expect(local.version).toMatch(/^2\.\d+\.\d+/);
    expect(local.details?.cpus).toBeGreaterThan(0);
    expect(gone).toMatchObject({
      ok: false,
      message: expect.stringContaining('unreachable'),
    });
    expect(gone.message).toContain(
      `Ray at ${goneUrl} is unreachable (ECONNREFUSED)`,
    );
    expect(wrongToken).toMatchObject({
      ok: false,
      message: expect.stringContaining('refused the token'),
    });
  }, 30_000);

  it('lists clusters with resources and never returns tokens', async () => {
    const server = await startBackend();
    const res = await request(server)
      .get('/api/ray-clusters/clusters')
      .expect(200);
    const items = res.body.items as RayCluster[];

    expect(items.map(c => [c.name, c.state])).toEqual([
      ['local', 'ready'],
      ['gone', 'unreachable'],
      ['wrong-token', 'unreachable'],
    ]);
    expect(items[0].resources?.nodes).toBe(1);
    expect(JSON.stringify(res.body)).not.toContain(rayToken);
  }, 30_000);

  it('shows a team only its own clusters when the policy grants by ownership', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'ray-clusters',
          resourceType: 'ray-cluster',
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: 'ray-cluster',
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    });
    const server = await startBackend(permissions.factory);
    const res = await request(server)
      .get('/api/ray-clusters/clusters')
      .expect(200);

    expect(res.body.items.map((c: RayCluster) => c.name)).toEqual([
      'gone',
      'wrong-token',
    ]);
  }, 30_000);

  it('refuses callers that are not signed-in users', async () => {
    const server = await startBackend();
    const anonymous = await request(server)
      .get('/api/ray-clusters/clusters')
      .set('Authorization', 'Bearer mock-none-token');
    const service = await request(server)
      .get('/api/ray-clusters/status')
      .set('Authorization', 'Bearer mock-service-token');

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
  });

  it('denies the status route when the policy denies it', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const server = await startBackend(permissions.factory);
    const res = await request(server).get('/api/ray-clusters/status');

    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('ray-clusters.status.read');
  });
});
