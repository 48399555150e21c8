import {
  coreServices,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import {
  RayCluster,
  RayNode,
} from '@internal/backstage-plugin-ray-clusters-common';
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

const TEAM_A = ['user:default/alice', 'group:default/team-a'];
const TEAM_B = ['user:default/bob', 'group:default/team-b'];

/** The policy's answer for a non-admin: clusters of the caller's own teams only. */
function ownerPolicy(claims: string[] | (() => string[])) {
  const current = () => (typeof claims === 'function' ? claims() : claims);
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    authorizeConditional: async requests =>
      requests.map(() => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'ray-clusters',
        resourceType: 'ray-cluster',
        conditions: {
          rule: OWNER_RULE_NAME,
          resourceType: 'ray-cluster',
          params: { claims: current() },
        },
      })),
  }).factory;
}

async function startBackend(
  permissions: ServiceFactory = mockServices.permissions.factory(),
  ownershipEntityRefs: string[] = TEAM_A,
) {
  const { server } = await startTestBackend({
    features: [
      rayClustersPlugin,
      permissions,
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => mockServices.userInfo({ ownershipEntityRefs }),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            rayClusters: {
              clusters: clusters(),
              // No local head is started by this suite (see LocalDriver.test.ts).
              local: { venv: '/nonexistent-venv' },
              quotas: {
                default: { maxClusters: 2, maxCpus: 4, maxGpus: 0 },
                teams: [{ team: 'group:default/team-b', maxClusters: 1 }],
              },
            },
          },
        },
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
    expect(items[0].resources?.usage?.cpus.total).toBe(
      items[0].resources?.cpus,
    );
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

  describe('clusters created through the API', () => {
    const external = (name: string) => ({
      name,
      driver: 'external',
      dashboardUrl: rayUrl,
      token: rayToken,
    });

    it("creates an external cluster for the caller's team and shows it only to that team", async () => {
      const server = await startBackend(ownerPolicy(TEAM_A), TEAM_A);
      const created = await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('a-vms'))
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'a-vms',
        owner: 'group:default/team-a',
        source: 'portal',
        state: 'ready',
        createdBy: 'user:default/mock',
      });
      expect(JSON.stringify(created.body)).not.toContain(rayToken);

      const details = await request(server)
        .get('/api/ray-clusters/clusters/a-vms')
        .expect(200);
      const alive = details.body.nodes.filter(
        (n: RayNode) => n.state === 'ALIVE',
      );
      expect(alive).toEqual([
        expect.objectContaining({ isHead: true, ip: expect.any(String) }),
      ]);
      expect(alive[0].cpus).toBe(details.body.resources.cpus);
      expect(Array.isArray(details.body.jobs)).toBe(true);

      const listed = await request(server)
        .get('/api/ray-clusters/clusters')
        .expect(200);
      expect(listed.body.items.map((c: RayCluster) => c.name)).toEqual([
        'local',
        'a-vms',
      ]);
    }, 30_000);

    it('denies another team every route on the cluster', async () => {
      // One backend, two callers: the cluster is created by team A, then team B tries.
      const claims = { current: TEAM_A };
      const server = await startBackend(
        ownerPolicy(() => claims.current),
        TEAM_A,
      );
      await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('a-only'))
        .expect(201);

      claims.current = TEAM_B;
      const listed = await request(server).get('/api/ray-clusters/clusters');
      expect(listed.body.items.map((c: RayCluster) => c.name)).toEqual([
        'gone',
        'wrong-token',
      ]);
      const attempts = [
        request(server).get('/api/ray-clusters/clusters/a-only'),
        request(server)
          .post('/api/ray-clusters/clusters/a-only/scale')
          .send({ cpus: 2 }),
        request(server).post('/api/ray-clusters/clusters/a-only/stop'),
        request(server).post('/api/ray-clusters/clusters/a-only/start'),
        request(server).delete('/api/ray-clusters/clusters/a-only'),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(
          /^You may not (read|scale|delete) Ray cluster "a-only": it belongs to another team$/,
        );
      }

      claims.current = TEAM_A;
      await request(server)
        .delete('/api/ray-clusters/clusters/a-only')
        .expect(200, { name: 'a-only', deleted: true });
      await request(server)
        .get('/api/ray-clusters/clusters/a-only')
        .expect(404);
    }, 30_000);

    it('refuses a cluster for a team the caller is not in', async () => {
      const server = await startBackend(undefined, TEAM_A);
      const res = await request(server)
        .post('/api/ray-clusters/clusters')
        .send({ ...external('b-vms'), owner: 'group:default/team-b' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You cannot create a Ray cluster for group:default/team-b: you are not a member of it',
      );
    });

    it('enforces the team quotas with a message naming the limit', async () => {
      const server = await startBackend(undefined, TEAM_B);
      await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('b-first'))
        .expect(201);
      const second = await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('b-second'));
      expect(second.status).toBe(403);
      expect(second.body.error.message).toBe(
        'Quota exceeded: group:default/team-b may have 1 Ray cluster(s) and has 1',
      );

      const serverA = await startBackend(undefined, TEAM_A);
      const cpus = await request(serverA)
        .post('/api/ray-clusters/clusters')
        .send({ name: 'too-big', cpus: 8 });
      expect(cpus.status).toBe(403);
      expect(cpus.body.error.message).toBe(
        'Quota exceeded: group:default/team-a may use 4 CPU in all its clusters; it uses 0 elsewhere and this cluster asks for 8',
      );
      const gpus = await request(serverA)
        .post('/api/ray-clusters/clusters')
        .send({ name: 'gpu', cpus: 1, gpus: 1 });
      expect(gpus.status).toBe(403);
      expect(gpus.body.error.message).toContain('may use 0 GPU');
    }, 30_000);

    it('rejects invalid requests naming the field, and leaves config clusters alone', async () => {
      const server = await startBackend();
      const bad = await request(server)
        .post('/api/ray-clusters/clusters')
        .send({ name: 'Bad_Name', cpus: -1, color: 'red' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^Invalid Ray cluster: /);
      expect(bad.body.error.message).toContain(
        'name must be 1-40 lowercase letters, digits and dashes, starting with a letter',
      );
      expect(bad.body.error.message).toContain('cpus ');
      expect(bad.body.error.message).toContain('color not allowed');

      const taken = await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('local'));
      expect(taken.status).toBe(409);

      const scale = await request(server)
        .post('/api/ray-clusters/clusters/local/scale')
        .send({ cpus: 2 });
      expect(scale.status).toBe(400);
      expect(scale.body.error.message).toContain(
        'is defined in app-config (mlops.rayClusters.clusters) and cannot be changed',
      );
      await request(server)
        .delete('/api/ray-clusters/clusters/local')
        .expect(400);
      await request(server).get('/api/ray-clusters/clusters/moon').expect(404);
    }, 30_000);
  });
});
