import {
  coreServices,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
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
import {
  RayCluster,
  RayNode,
} from '@internal/backstage-plugin-ray-clusters-common';
import {
  closedPortUrl,
  INTERNAL_SECRET_BODY,
  RecordingServer,
  requireTestService,
  startRecordingServer,
  startRedirectingServer,
} from '@internal/mlops-node';
import { Knex } from 'knex';
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
  options: {
    /** mlops.network.allowedEndpoints; the test Ray runs on loopback, which these allow. */
    allowedEndpoints?: string[];
    /** A database shared with another backend. */
    knex?: Knex;
  } = {},
) {
  const { server } = await startTestBackend({
    features: [
      rayClustersPlugin,
      permissions,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => mockServices.userInfo({ ownershipEntityRefs }),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            network: {
              allowedEndpoints: options.allowedEndpoints ?? ['127.0.0.1/32'],
            },
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

    it("answers another team's user 404 without names on every route, and shows them nothing", async () => {
      // One backend, two callers: the cluster is created by team A, then team B tries everything.
      const claims = { current: TEAM_A };
      const server = await startBackend(
        ownerPolicy(() => claims.current),
        TEAM_A,
      );
      const created = await request(server)
        .post('/api/ray-clusters/clusters')
        .send({
          ...external('a-only'),
          title: 'Team A private VMs',
          // The same Ray as team B's clusters, spelt so that a leak of this address shows.
          dashboardUrl: rayUrl.replace('127.0.0.1', '2130706433'),
        })
        .expect(201);

      claims.current = TEAM_B;
      // What team A has and team B must not learn: names, title, team, address.
      const secrets = [
        'a-only',
        'Team A private VMs',
        'team-a',
        'local',
        created.body.dashboardUrl,
      ];
      const expectNoSecrets = (body: unknown) => {
        const text = JSON.stringify(body);
        for (const secret of secrets) expect(text).not.toContain(secret);
      };

      const listed = await request(server)
        .get('/api/ray-clusters/clusters')
        .expect(200);
      expect(listed.body.items.map((c: RayCluster) => c.name)).toEqual([
        'gone',
        'wrong-token',
      ]);
      expectNoSecrets(listed.body);

      const status = await request(server)
        .get('/api/ray-clusters/status')
        .expect(200);
      expect(
        (status.body as PluginStatus).dependencies.map(d => d.name),
      ).toEqual(['Ray cluster gone', 'Ray cluster wrong-token', 'Database']);
      expectNoSecrets(status.body);

      // Every verb on the other team's clusters (portal-created and config-defined) answers as if
      // there were no such cluster: the same 404 as a name nobody uses.
      const routes = (name: string) => [
        request(server).get(`/api/ray-clusters/clusters/${name}`),
        request(server)
          .post(`/api/ray-clusters/clusters/${name}/scale`)
          .send({ cpus: 2 }),
        request(server).post(`/api/ray-clusters/clusters/${name}/start`),
        request(server).post(`/api/ray-clusters/clusters/${name}/stop`),
        request(server).delete(`/api/ray-clusters/clusters/${name}`),
      ];
      const unknown = await Promise.all(routes('no-such-cluster'));
      for (const name of ['a-only', 'local']) {
        const answers = await Promise.all(routes(name));
        answers.forEach((res, i) => {
          expect(res.status).toBe(404);
          expect(res.body.error).toEqual({
            name: 'NotFoundError',
            message: `No Ray cluster named "${name}"`,
          });
          expect(unknown[i].body.error.message).toBe(
            'No Ray cluster named "no-such-cluster"',
          );
          secrets
            .filter(secret => secret !== name)
            .forEach(secret => expect(res.text).not.toContain(secret));
        });
      }

      // Nothing happened to team A's cluster.
      claims.current = TEAM_A;
      await request(server)
        .get('/api/ray-clusters/clusters/a-only')
        .expect(200)
        .expect(res => expect(res.body.state).toBe('ready'));
      await request(server)
        .delete('/api/ray-clusters/clusters/a-only')
        .expect(200, { name: 'a-only', deleted: true });
      await request(server)
        .get('/api/ray-clusters/clusters/a-only')
        .expect(404);
    }, 60_000);

    it('answers 403 naming the cluster only to a caller who may read it', async () => {
      const readOnly = mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        authorizeConditional: async requests =>
          requests.map(({ permission }) =>
            permission.name === 'ray-clusters.cluster.read'
              ? { result: AuthorizeResult.ALLOW }
              : { result: AuthorizeResult.DENY },
          ),
      }).factory;
      const server = await startBackend(readOnly, TEAM_A);
      await request(server)
        .post('/api/ray-clusters/clusters')
        .send(external('a-read'))
        .expect(201);
      const scale = await request(server)
        .post('/api/ray-clusters/clusters/a-read/scale')
        .send({ cpus: 2 });
      expect(scale.status).toBe(403);
      expect(scale.body.error.message).toBe(
        'You are not allowed to ray-clusters.cluster.scale on Ray cluster "a-read"',
      );
      const remove = await request(server).delete(
        '/api/ray-clusters/clusters/a-read',
      );
      expect(remove.status).toBe(403);
      await request(server)
        .get('/api/ray-clusters/clusters/a-read')
        .expect(200);
    }, 30_000);

    it('answers 401 on every route to a caller who is not signed in', async () => {
      const server = await startBackend();
      const anonymous = [
        request(server).get('/api/ray-clusters/status'),
        request(server).get('/api/ray-clusters/clusters'),
        request(server)
          .post('/api/ray-clusters/clusters')
          .send(external('anon')),
        request(server).get('/api/ray-clusters/clusters/local'),
        request(server)
          .post('/api/ray-clusters/clusters/local/scale')
          .send({ cpus: 2 }),
        request(server).post('/api/ray-clusters/clusters/local/start'),
        request(server).post('/api/ray-clusters/clusters/local/stop'),
        request(server).delete('/api/ray-clusters/clusters/local'),
      ];
      for (const res of await Promise.all(
        anonymous.map(r => r.set('Authorization', 'Bearer mock-none-token')),
      )) {
        expect(res.status).toBe(401);
        expect(res.text).not.toContain('team-a');
      }
    });

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

describe('external clusters and the endpoint guard (SSRF)', () => {
  const servers: RecordingServer[] = [];
  const track = async (server: Promise<RecordingServer>) => {
    const started = await server;
    servers.push(started);
    return started;
  };
  afterAll(() => Promise.all(servers.map(s => s.close())));
  const rayPort = new URL(rayUrl).port;
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  const create = (
    server: any,
    name: string,
    dashboardUrl: string,
    token = 'user-token',
  ) =>
    request(server)
      .post('/api/ray-clusters/clusters')
      .send({ name, driver: 'external', dashboardUrl, token });

  const expectNoTrace = (res: request.Response) => {
    expect(res.text).not.toContain('internal-service-secret');
    expect(res.text).not.toContain('root:x');
    expect(res.text).not.toContain('<html>');
  };

  // Loopback, the unspecified address (which Linux connects to loopback), and the cloud metadata
  // address, in the spellings WHATWG URL parsing accepts.
  const forms = (port: string | number) => [
    [`http://127.0.0.1:${port}`, '127.0.0.1', 'loopback', '127.0.0.1'],
    [`http://2130706433:${port}`, '127.0.0.1', 'loopback', '127.0.0.1'],
    [`http://0x7f000001:${port}`, '127.0.0.1', 'loopback', '127.0.0.1'],
    [`http://0177.0.0.1:${port}`, '127.0.0.1', 'loopback', '127.0.0.1'],
    [
      `http://[::ffff:127.0.0.1]:${port}`,
      '::ffff:7f00:1',
      'loopback',
      '::ffff:7f00:1',
    ],
    [`http://0.0.0.0:${port}`, '0.0.0.0', 'unspecified', '0.0.0.0'],
  ];

  it('refuses loopback, unspecified and metadata addresses in every spelling, without contacting them', async () => {
    const internal = await track(startRecordingServer());
    const server = await startBackend(undefined, TEAM_A, {
      allowedEndpoints: [],
    });
    for (const [url, host, kind, address] of [
      ...forms(internal.port),
      [
        'http://169.254.169.254/latest/meta-data',
        '169.254.169.254',
        'link-local',
        '169.254.169.254',
      ],
    ]) {
      const res = await create(server, 'probe', url);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Refused: the Ray dashboard host '${host}' resolves to the ${kind} address ${address}, which the portal does not connect to unless an administrator allows it in mlops.network.allowedEndpoints`,
      );
      expectNoTrace(res);
    }
    const named = await create(
      server,
      'probe',
      `http://localhost:${internal.port}`,
    );
    expect(named.status).toBe(400);
    expect(named.body.error.message).toMatch(
      /^Refused: the Ray dashboard host 'localhost' resolves to the loopback address/,
    );
    expect(internal.requests).toEqual([]);
    const listed = await request(server)
      .get('/api/ray-clusters/clusters')
      .expect(200);
    expect(listed.body.items.map((c: RayCluster) => c.name)).not.toContain(
      'probe',
    );
  }, 30_000);

  it('accepts the same addresses once an administrator allow-lists them', async () => {
    const server = await startBackend(undefined, TEAM_A, {
      allowedEndpoints: ['127.0.0.1/32'],
    });
    for (const [index, [url]] of forms(rayPort).slice(0, 5).entries()) {
      const res = await create(server, `allowed-${index}`, url, rayToken);
      expect(res.body.error?.message).toBeUndefined();
      expect(res.status).toBe(201);
      expect(res.body.state).toBe('ready');
      await request(server)
        .delete(`/api/ray-clusters/clusters/allowed-${index}`)
        .expect(200);
    }
    // The allow-list names 127.0.0.1 only.
    const other = await create(server, 'other', `http://127.0.0.2:${rayPort}`);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('loopback address 127.0.0.2');
  }, 60_000);

  it('follows no redirect and never echoes what an allowed address answers', async () => {
    const target = await track(startRecordingServer());
    const redirecting = await track(startRedirectingServer(target.url));
    const html = await track(startRecordingServer());
    const failing = await track(
      startRecordingServer((_, res) => {
        res.writeHead(502);
        res.end(INTERNAL_SECRET_BODY);
      }),
    );
    const server = await startBackend(undefined, TEAM_A, {
      allowedEndpoints: ['127.0.0.1/32'],
    });

    const redirected = await create(server, 'redirected', redirecting.url);
    expect(redirected.status).toBe(400);
    expect(redirected.body.error.message).toBe(
      `External Ray cluster "redirected" failed its health check: Ray at ${redirecting.url} answered HTTP 302 (a redirect) for /api/version; the portal does not follow redirects: give the address Ray answers on`,
    );
    expect(redirecting.requests).toHaveLength(1);
    expect(target.requests).toEqual([]);

    const notRay = await create(server, 'not-ray', html.url);
    expect(notRay.status).toBe(400);
    expect(notRay.body.error.message).toBe(
      `External Ray cluster "not-ray" failed its health check: Ray at ${html.url} did not answer /api/version with Ray's JSON`,
    );
    const bad = await create(server, 'bad-gateway', failing.url);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      `External Ray cluster "bad-gateway" failed its health check: Ray at ${failing.url} answered HTTP 502 for /api/version`,
    );
    for (const res of [redirected, notRay, bad]) expectNoTrace(res);
  }, 30_000);

  it('checks the address again whenever it polls, not only when the cluster was created', async () => {
    // A Ray look-alike on loopback: allowed when the cluster is created, refused afterwards (as
    // when a host name is re-pointed at an internal address after the check).
    const lookAlike = await track(
      startRecordingServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(req.url === '/api/version' ? '{"ray_version":"2.0.0"}' : '{}');
      }),
    );
    const knex = await databases.init('SQLITE_3');
    const allowing = await startBackend(ownerPolicy(TEAM_A), TEAM_A, {
      allowedEndpoints: ['127.0.0.1/32'],
      knex,
    });
    await create(allowing, 'moved', lookAlike.url).expect(201);

    const refusing = await startBackend(ownerPolicy(TEAM_A), TEAM_A, {
      allowedEndpoints: [],
      knex,
    });
    const before = lookAlike.requests.length;
    const listed = await request(refusing)
      .get('/api/ray-clusters/clusters')
      .expect(200);
    const moved = listed.body.items.find((c: RayCluster) => c.name === 'moved');
    expect(moved).toMatchObject({
      state: 'unreachable',
      message: expect.stringContaining(
        `Ray at ${lookAlike.url} cannot be used: Refused: the Ray dashboard host '127.0.0.1' resolves to the loopback address 127.0.0.1`,
      ),
    });
    await request(refusing)
      .get('/api/ray-clusters/clusters/moved')
      .expect(200)
      .expect(res => expect(res.body.state).toBe('unreachable'));
    const status = await request(refusing)
      .get('/api/ray-clusters/status')
      .expect(200);
    expect(
      (status.body as PluginStatus).dependencies.find(
        d => d.name === 'Ray cluster moved',
      ),
    ).toMatchObject({ ok: false });
    expect(lookAlike.requests.length).toBe(before);
  }, 30_000);
});
