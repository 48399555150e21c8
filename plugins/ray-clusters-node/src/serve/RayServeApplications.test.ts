import {
  INTERNAL_SECRET_BODY,
  RecordingServer,
  closedPortUrl,
  requireTestService,
  startRecordingServer,
} from '@internal/mlops-node';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { RayDashboardClient } from '../RayDashboardClient';
import { RayServeApplications } from './RayServeApplications';
import { ServeApplicationConfig } from './rayServeSchema';
import { ServeApplicationStatus } from './types';

const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

const CLUSTER = 'serve-test';
// Other test files may deploy on the same Ray: names of this run only, never Serve's whole config.
const run = randomBytes(3).toString('hex');
const nameOf = (app: string) => `probe-${app}-${run}`;

const client = new RayDashboardClient({
  dashboardUrl: rayUrl,
  token: rayToken,
});

/** A port nothing listens on now: Serve's proxy, if this test is the one that starts Serve. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

let serve: RayServeApplications;
const deployed = new Set<string>();

beforeAll(async () => {
  serve = new RayServeApplications({
    cluster: CLUSTER,
    client,
    httpOptionsWhenStarting: { host: '127.0.0.1', port: await freePort() },
  });
});

afterAll(async () => {
  for (const name of deployed) {
    await serve.remove(name);
  }
});

function probe(
  app: string,
  greeting: string,
  extra: Partial<ServeApplicationConfig> = {},
): ServeApplicationConfig {
  const name = nameOf(app);
  deployed.add(name);
  return {
    name,
    route_prefix: `/${name}`,
    import_path: 'mlops_runtime.serve_probe:build_app',
    args: { name: app },
    deployments: [{ name: 'Probe', user_config: { greeting } }],
    ...extra,
  };
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

async function waitForStatus(
  app: string,
  status: ServeApplicationStatus['status'],
): Promise<ServeApplicationStatus> {
  let last: ServeApplicationStatus | undefined;
  await waitFor(`${app} to be ${status} (last: ${last?.status})`, async () => {
    last = await serve.get(nameOf(app));
    return last?.status === status;
  });
  return last!;
}

/** What the probe application answers over Serve's HTTP proxy; undefined for a non-200. */
async function ask(app: string): Promise<unknown> {
  const endpoint = await serve.endpoint();
  expect(endpoint).toBeDefined();
  const response = await fetch(`${endpoint!.url}/${nameOf(app)}`);
  return response.ok ? response.json() : undefined;
}

/** The error `promise` fails with; a test failure when it does not fail. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    error => error as Error,
  );
}

async function replicaIds(app: string): Promise<string[]> {
  const details = await client.getServeInstanceDetails();
  const deployments = details.applications[nameOf(app)]?.deployments ?? {};
  return Object.values(deployments).flatMap(d =>
    d.replicas.map(r => r.replica_id),
  );
}

describe('RayServeApplications on a real Ray', () => {
  it('updates and removes one application and leaves the other one running, untouched', async () => {
    await serve.upsert(probe('a', 'a1'));
    await serve.upsert(
      probe('b', 'b1', {
        runtime_env: { env_vars: { PROBE_SECRET: 'not-for-the-ui' } },
      }),
    );
    await waitForStatus('a', 'RUNNING');
    const b = await waitForStatus('b', 'RUNNING');

    expect(await ask('a')).toEqual({ name: 'a', greeting: 'a1' });
    expect(await ask('b')).toEqual({ name: 'b', greeting: 'b1' });
    expect(b.deployments).toEqual([
      expect.objectContaining({
        name: 'Probe',
        status: 'HEALTHY',
        targetReplicas: 1,
        runningReplicas: 1,
      }),
    ]);
    // The config as deployed, with the runtime_env's values hidden.
    expect(b.config).toEqual({
      ...probe('b', 'b1'),
      runtime_env: { env_vars: { PROBE_SECRET: '<redacted>' } },
    });
    expect(JSON.stringify(await serve.list())).not.toContain('not-for-the-ui');
    const bReplicas = await replicaIds('b');
    expect(bReplicas).toHaveLength(1);

    // A live user_config change of A: B keeps its replica and its config.
    await serve.upsert(probe('a', 'a2'));
    await waitFor('a to answer a2', async () => {
      const answer = (await ask('a')) as { greeting?: string } | undefined;
      return answer?.greeting === 'a2';
    });
    await waitForStatus('a', 'RUNNING');
    // Ray marks every application DEPLOYING for a moment at each write; B's replica keeps running.
    expect((await waitForStatus('b', 'RUNNING')).config).toEqual(b.config);
    expect(await replicaIds('b')).toEqual(bReplicas);
    expect(await ask('b')).toEqual({ name: 'b', greeting: 'b1' });

    // Removing A: gone from Serve and from the proxy; B still runs on the same replica.
    expect(await serve.remove(nameOf('a'))).toBe(true);
    await waitFor(
      'a to be gone',
      async () => (await serve.get(nameOf('a'))) === undefined,
    );
    expect(await ask('a')).toBeUndefined();
    await waitForStatus('b', 'RUNNING');
    expect(await replicaIds('b')).toEqual(bReplicas);
    expect(await ask('b')).toEqual({ name: 'b', greeting: 'b1' });
    expect(await serve.remove(nameOf('a'))).toBe(false);
  }, 300_000);

  it('serializes concurrent writes per cluster: both applications end up deployed', async () => {
    // Two clients of the same cluster, as two requests of the serving backend would have.
    const other = new RayServeApplications({ cluster: CLUSTER, client });
    await Promise.all([
      serve.upsert(probe('c', 'c1')),
      other.upsert(probe('d', 'd1')),
    ]);
    // A write that lost the race would have put its rival in DELETING.
    const live = (await serve.list())
      .filter(app => app.status !== 'DELETING' && app.config)
      .map(app => app.name);
    expect(live).toEqual(expect.arrayContaining([nameOf('c'), nameOf('d')]));

    await Promise.all([serve.remove(nameOf('c')), other.remove(nameOf('d'))]);
    await waitFor('c and d to be gone', async () => {
      const left = (await serve.list()).map(app => app.name);
      return !left.includes(nameOf('c')) && !left.includes(nameOf('d'));
    });
    await waitForStatus('b', 'RUNNING');
  }, 300_000);

  it('reports an import path that does not import as DEPLOY_FAILED with the exception in plain words', async () => {
    await serve.upsert({
      ...probe('broken', 'x'),
      import_path: 'mlops_runtime.no_such_module:build_app',
    });
    const broken = await waitForStatus('broken', 'DEPLOY_FAILED');
    expect(broken.message).toContain(
      "ModuleNotFoundError: No module named 'mlops_runtime.no_such_module'",
    );
    expect(broken.message).not.toContain('Traceback');
    expect(broken.message).not.toContain('\n');
    // Later writes keep a failed application, as any other (Ray retries its build then).
    await serve.upsert(probe('e', 'e1'));
    expect((await serve.get(nameOf('broken')))?.config?.import_path).toBe(
      'mlops_runtime.no_such_module:build_app',
    );
    await waitForStatus('broken', 'DEPLOY_FAILED');
    expect(await serve.remove(nameOf('broken'))).toBe(true);
    expect(await serve.remove(nameOf('e'))).toBe(true);
  }, 300_000);

  it('turns a config Serve rejects (HTTP 400) into an InputError naming the application, not quoting Ray', async () => {
    const invalid = probe('invalid', 'x', {
      deployments: [{ name: 'Probe', num_replicas: -1 }],
    });
    const error = await failureOf(serve.upsert(invalid));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
    expect(error.message).toBe(
      `Ray Serve on cluster "${CLUSTER}" rejected the config of application "${invalid.name}" (HTTP 400): check its fields (route_prefix, import_path, deployments, replicas); the Ray dashboard's log has Ray's reason`,
    );
    expect(await serve.get(invalid.name)).toBeUndefined();
    await waitForStatus('b', 'RUNNING');
  }, 120_000);

  it('refuses a second application on a route prefix in use', async () => {
    const error = await failureOf(
      serve.upsert({ ...probe('clash', 'x'), route_prefix: `/${nameOf('b')}` }),
    );
    expect(error.name).toBe('ConflictError');
    expect(error.message).toBe(
      `Serve application "${nameOf(
        'b',
      )}" on cluster "${CLUSTER}" already has the route prefix /${nameOf('b')}`,
    );
  }, 60_000);

  it('refuses configs it can tell are wrong before writing', async () => {
    await expect(
      serve.upsert({ ...probe('slash', 'x'), route_prefix: 'no-slash' }),
    ).rejects.toThrow(
      `Serve application config: route_prefix of "${nameOf(
        'slash',
      )}" must start with "/", not end with "/" and hold no braces or spaces`,
    );
    await expect(
      serve.upsert({
        ...probe('redacted', 'x'),
        runtime_env: { env_vars: { TOKEN: '<redacted>' } },
      }),
    ).rejects.toThrow(
      `runtime_env.env_vars of "${nameOf(
        'redacted',
      )}" holds the placeholder <redacted> for TOKEN`,
    );
  });

  it('knows where Serve answers', async () => {
    const endpoint = await serve.endpoint();
    expect(endpoint).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      host: expect.any(String),
      port: expect.any(Number),
      loopbackOnly: false,
    });
    expect(endpoint!.url).toBe(`http://127.0.0.1:${endpoint!.port}`);
  });
});

describe('RayServeApplications errors', () => {
  const servers: RecordingServer[] = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  it('says when the cluster is unreachable', async () => {
    const url = await closedPortUrl();
    const unreachable = new RayServeApplications({
      cluster: 'gone',
      client: new RayDashboardClient({ dashboardUrl: url, token: 't' }),
    });
    const expected = `Ray at ${url} is unreachable (ECONNREFUSED)`;
    await expect(unreachable.list()).rejects.toThrow(expected);
    await expect(unreachable.upsert(probe('x', 'x'))).rejects.toThrow(expected);
    await expect(unreachable.remove('x')).rejects.toThrow(expected);
  });

  it('never quotes what a failing server answered', async () => {
    const server = await startRecordingServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ applications: {} }));
      } else {
        res.writeHead(500);
        res.end(INTERNAL_SECRET_BODY);
      }
    });
    servers.push(server);
    const failing = new RayServeApplications({
      cluster: 'failing',
      client: new RayDashboardClient({ dashboardUrl: server.url, token: 't' }),
    });
    const error = await failureOf(failing.upsert(probe('x', 'x')));
    expect(error.name).toBe('RayUnavailableError');
    expect(error.message).toBe(
      `Ray at ${server.url} answered HTTP 500 for PUT /api/serve/applications/`,
    );
    expect(server.requests.map(r => [r.method, r.authorization])).toEqual([
      ['GET', 'Bearer t'],
      ['PUT', 'Bearer t'],
    ]);
  });
});
