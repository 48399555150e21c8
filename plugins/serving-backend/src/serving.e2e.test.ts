import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import {
  closedPortUrl,
  mlflowAuthHeaders,
  MlflowRestClient,
  MlflowTeamAccess,
  PrometheusClient,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { servingPlugin } from './plugin';
import { deploymentQueries } from './service/deploymentMetrics';
import {
  alice,
  bob,
  TEAM_A,
  TEAM_B,
  teamServices,
} from '@internal/mlops-node/testUtils';

/*
 * End to end, against the test stack's real Ray Serve and MLflow (with authentication): a team
 * registers a digits classifier (sklearn's 8x8 MNIST-like digits) in MLflow as its jobs do,
 * deploys it through the serving API, and calls it over Serve's HTTP proxy with API keys.
 */

const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const prometheusUrl = requireTestService('MLOPS_TEST_PROMETHEUS_URL');
const admin = requireTestMlflowCredentials();
const python = path.join(
  process.env.MLOPS_VENV ?? path.resolve(__dirname, '../../../.venv'),
  'bin',
  'python',
);

jest.setTimeout(240_000);

const suffix = randomUUID().slice(0, 6);
const MODEL = `e2e-digits-${suffix}`;
const SLUG_A = `digits-${suffix}`;
const SLUG_B = `digits-b-${suffix}`;

type Registered = { images: number[][]; versions: Record<string, number[]> };

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let server: any;
/** The plugin's scheduled tasks, run by the test when it waits instead of on a timer. */
const tasks = new Map<
  string,
  { frequency: object; run: () => Promise<void> }
>();
let reconcile: () => Promise<void> = async () => {
  throw new Error('The serving plugin scheduled no reconciler');
};
let registered: Registered;
const teams = new MlflowTeamAccess(
  new MlflowRestClient(mlflowUrl, admin),
  admin,
);
const created: ModelDeploymentDetails[] = [];

/** Registers versions 1 and 2 of the model with the team's MLflow user, as a job of the team. */
async function registerModel(): Promise<Registered> {
  const team = await teams.prepareJob(TEAM_A, MODEL);
  const { stdout } = await promisify(execFile)(
    python,
    [path.join(__dirname, 'e2e', 'register_digits.py'), MODEL],
    {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflowUrl,
        MLFLOW_TRACKING_USERNAME: team.username,
        MLFLOW_TRACKING_PASSWORD: team.password,
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function startBackend() {
  const knex = await databases.init('SQLITE_3');
  const schedulerService = mockServices.scheduler.mock({
    scheduleTask: async task => {
      const run = () => Promise.resolve(task.fn(new AbortController().signal));
      tasks.set(task.id, { frequency: task.frequency, run });
      if (task.id === 'serving-deployment-reconciler') reconcile = run;
    },
  });
  const serveHttpPort = Number(new URL(await closedPortUrl()).port);
  const cluster = (name: string, owner: string) => ({
    name,
    owner,
    dashboardUrl: rayUrl,
    token: rayToken,
  });
  ({ server } = await startTestBackend({
    features: [
      servingPlugin,
      schedulerService.factory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            mlflow: { trackingUrl: mlflowUrl, ...admin },
            rayClusters: {
              clusters: [cluster('e2e-a', TEAM_A), cluster('e2e-b', TEAM_B)],
            },
            // Used only if this test is the first to start Serve on the test Ray.
            serving: { serveHttp: { host: '127.0.0.1', port: serveHttpPort } },
            monitoring: { prometheus: { baseUrl: prometheusUrl } },
          },
        },
      }),
      ...teamServices(),
    ],
  }));
}

function api(who: string) {
  return {
    get: (url: string) =>
      request(server).get(`/api/serving${url}`).set('Authorization', who),
    post: (url: string, body: object = {}) =>
      request(server)
        .post(`/api/serving${url}`)
        .set('Authorization', who)
        .send(body),
    put: (url: string, body: object) =>
      request(server)
        .put(`/api/serving${url}`)
        .set('Authorization', who)
        .send(body),
    delete: (url: string) =>
      request(server).delete(`/api/serving${url}`).set('Authorization', who),
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function eventually<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out: ${what}${last ? ` (${last})` : ''}`);
    }
    await sleep(500);
  }
}

/** The stored state, as the reconciler leaves it: the list route reads nothing from Ray. */
async function storedState(id: string) {
  const list = await api(alice).get('/deployments?limit=100').expect(200);
  return (list.body.items as ModelDeploymentDetails[]).find(d => d.id === id)!;
}

/** Runs the reconciler until it has stored HEALTHY (fails early on Ray's deploy failure). */
async function waitHealthy(id: string): Promise<ModelDeploymentDetails> {
  return eventually(`deployment ${id} HEALTHY`, async () => {
    await reconcile();
    const stored = await storedState(id);
    if (stored.message?.includes('could not deploy')) {
      throw new Error(`${stored.state}: ${stored.message}`);
    }
    return stored.state === 'HEALTHY' ? stored : undefined;
  });
}

type Answer = {
  status: number;
  version: string | null;
  retryAfter: string | null;
  body: any;
};

async function infer(
  deployment: ModelDeploymentDetails,
  key: string | undefined,
  body: object = imagesBody(),
): Promise<Answer> {
  const response = await fetch(
    `${deployment.endpoint}/v2/models/${deployment.name}/infer`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify(body),
    },
  );
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return {
    status: response.status,
    version: response.headers.get('x-model-version'),
    retryAfter: response.headers.get('retry-after'),
    body: parsed,
  };
}

function imagesBody(
  overrides: Partial<{
    shape: number[];
    datatype: string;
    data: unknown[];
  }> = {},
) {
  return {
    inputs: [
      {
        name: 'input',
        shape: [registered.images.length, 64],
        datatype: 'FP32',
        data: registered.images.flat(),
        ...overrides,
      },
    ],
  };
}

async function createKey(
  deployment: ModelDeploymentDetails,
  name: string,
  limits: object = { requestsPerSecond: 1000, burst: 2000 },
): Promise<{ id: string; key: string }> {
  const res = await api(alice)
    .post(`/deployments/${deployment.id}/keys`, { name, ...limits })
    .expect(201);
  return res.body;
}

/** Until Ray's ingress has the key (user_config reaches it live, shortly after the PUT). */
async function waitKeyWorks(deployment: ModelDeploymentDetails, key: string) {
  return eventually(`key ${key.slice(0, 8)}… accepted`, async () => {
    const answer = await infer(deployment, key);
    return answer.status === 200 ? answer : undefined;
  });
}

async function alias(name: string): Promise<string | undefined> {
  const response = await fetch(
    `${mlflowUrl}/api/2.0/mlflow/registered-models/alias?${new URLSearchParams({
      name: MODEL,
      alias: name,
    })}`,
    { headers: mlflowAuthHeaders(admin) },
  );
  // MLflow answers 400 for an alias that is not set.
  if (response.status === 400) return undefined;
  expect(response.status).toBe(200);
  const body = await response.json();
  return body.model_version.version;
}

/** The Serve application of a deployment, as Ray's Serve API describes it. */
async function serveApplication(slug: string) {
  const serve = await fetch(`${rayUrl}/api/serve/applications/`, {
    headers: { Authorization: `Bearer ${rayToken}` },
  }).then(r => r.json());
  return serve.applications[`mlops-${slug}`];
}

/** Runs the reconciler until Serve runs exactly the model versions `versions`. */
async function waitServedVersions(slug: string, versions: string[]) {
  await eventually(`Serve runs versions ${versions} of ${slug}`, async () => {
    await reconcile();
    const app = await serveApplication(slug);
    const served = Object.keys(app?.deployments ?? {})
      .filter(name => name.startsWith('Model_'))
      .map(name => name.slice('Model_'.length))
      .sort();
    return app?.status === 'RUNNING' &&
      JSON.stringify(served) === JSON.stringify(versions)
      ? true
      : undefined;
  });
}

/** Sends requests one after another on `workers` streams until stopped; counts the answers. */
function stream(
  deployment: ModelDeploymentDetails,
  key: string,
  workers: number,
) {
  const counts = {
    ok: 0,
    failed: [] as string[],
    versions: {} as Record<string, number>,
  };
  let stopped = false;
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      try {
        const answer = await infer(deployment, key);
        if (answer.status === 200) {
          counts.ok += 1;
          const v = answer.version ?? '?';
          counts.versions[v] = (counts.versions[v] ?? 0) + 1;
        } else {
          counts.failed.push(`${answer.status} ${JSON.stringify(answer.body)}`);
        }
      } catch (error) {
        counts.failed.push(String((error as Error).cause ?? error));
      }
    }
  });
  return {
    counts,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return counts;
    },
  };
}

let a: ModelDeploymentDetails;
let b: ModelDeploymentDetails;
let keyA: { id: string; key: string };
let keyB: { id: string; key: string };

beforeAll(async () => {
  // Both settle before a failure is thrown, so that a backend still starting is not left running
  // (and failing) in this Jest worker after the file ends.
  const [model, backend] = await Promise.allSettled([
    registerModel(),
    startBackend(),
  ]);
  if (backend.status === 'rejected') throw backend.reason;
  if (model.status === 'rejected') throw model.reason;
  registered = model.value;
  if (Object.keys(registered.versions).join() !== '1,2') {
    throw new Error(
      `The model registered as versions ${Object.keys(
        registered.versions,
      )}, not 1 and 2`,
    );
  }
});

afterAll(async () => {
  for (const deployment of created) {
    await api(alice).delete(`/deployments/${deployment.id}`);
  }
});

describe('serving end to end on Ray Serve and MLflow', () => {
  it('checks the model in MLflow: another team cannot deploy it, a missing version is a 400', async () => {
    const deploy = {
      name: SLUG_A,
      modelName: MODEL,
      cluster: 'e2e-a',
      replicas: 1,
      cpus: 0.1,
    };
    const missing = await api(alice).post('/deployments', {
      ...deploy,
      modelVersion: '7',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      `Registered model "${MODEL}" has no version 7 in MLflow`,
    );
    const unknown = await api(alice).post('/deployments', {
      ...deploy,
      modelName: `${MODEL}-nope`,
      modelVersion: '1',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      `${TEAM_A} has no registered model "${MODEL}-nope" in MLflow`,
    );
    // Bob's team: not on alice's cluster, and not alice's model on his own cluster.
    const onAlicesCluster = await api(bob).post('/deployments', {
      ...deploy,
      modelVersion: '1',
    });
    expect(onAlicesCluster.status).toBe(404);
    expect(onAlicesCluster.body.error.message).toBe(
      `${TEAM_B} has no Ray cluster named "e2e-a"`,
    );
    const alicesModel = await api(bob).post('/deployments', {
      ...deploy,
      cluster: 'e2e-b',
      modelVersion: '1',
    });
    expect(alicesModel.status).toBe(404);
    expect(alicesModel.body.error.message).toBe(
      `${TEAM_B} has no registered model "${MODEL}" in MLflow`,
    );
  });

  it('deploys two deployments on one cluster; the reconciler follows them to HEALTHY', async () => {
    const deploy = (name: string) =>
      api(alice)
        .post('/deployments', {
          name,
          modelName: MODEL,
          modelVersion: '1',
          cluster: 'e2e-a',
          replicas: 1,
          cpus: 0.1,
          reason: 'end-to-end test',
        })
        .expect(201);
    expect(
      Object.fromEntries([...tasks].map(([id, t]) => [id, t.frequency])),
    ).toEqual({
      'serving-deployment-reconciler': { seconds: 5 },
      'serving-api-key-usage': { seconds: 30 },
    });
    const first = await deploy(SLUG_A);
    created.push(first.body);
    expect(first.body.state).toBe('DEPLOYING');
    const second = await deploy(SLUG_B);
    created.push(second.body);
    [a, b] = await Promise.all([
      waitHealthy(first.body.id),
      waitHealthy(second.body.id),
    ]);
    expect(a.endpoint).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${SLUG_A}$`),
    );
    expect(await alias('champion')).toBe('1');

    // The replicas read MLflow as the team's MLflow user (Ray shows the values to nobody);
    // its derived password reads the registered model.
    const envVars = (await serveApplication(SLUG_A)).deployed_app_config
      .runtime_env.env_vars;
    expect(Object.keys(envVars).sort()).toEqual([
      'MLFLOW_TRACKING_PASSWORD',
      'MLFLOW_TRACKING_URI',
      'MLFLOW_TRACKING_USERNAME',
    ]);
    const asTeam = await fetch(
      `${mlflowUrl}/api/2.0/mlflow/registered-models/get?name=${MODEL}`,
      { headers: mlflowAuthHeaders(teams.credentials(TEAM_A)) },
    );
    expect(asTeam.status).toBe(200);
  });

  it('answers with a key: the right digits; 401 without, with a wrong or a revoked key', async () => {
    keyA = await createKey(a, 'e2e');
    keyB = await createKey(b, 'e2e-b');
    const answer = await waitKeyWorks(a, keyA.key);
    expect(answer.version).toBe('1');
    expect(answer.body.outputs[0].data).toEqual(registered.versions['1']);
    await waitKeyWorks(b, keyB.key);

    expect((await infer(a, undefined)).status).toBe(401);
    expect((await infer(a, 'mlops_not-a-key')).status).toBe(401);
    // A key of deployment B does not open deployment A.
    expect((await infer(a, keyB.key)).status).toBe(401);

    const revoked = await createKey(a, 'to-revoke');
    await waitKeyWorks(a, revoked.key);
    await api(alice)
      .delete(`/deployments/${a.id}/keys/${revoked.id}`)
      .expect(204);
    await eventually('revoked key refused', async () =>
      (await infer(a, revoked.key)).status === 401 ? true : undefined,
    );
  });

  it('limits a key (429 with Retry-After) and names bad shapes and datatypes (400)', async () => {
    const slow = await createKey(a, 'slow', {
      requestsPerSecond: 0.2,
      burst: 2,
    });
    await waitKeyWorks(a, slow.key);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await infer(a, slow.key));
    const limited = answers.find(x => x.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited!.retryAfter)).toBeGreaterThan(0);

    const shape = await infer(
      a,
      keyA.key,
      imagesBody({
        shape: [10, 63],
        data: registered.images.flat().slice(0, 630),
      }),
    );
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatch(/shape \[10, 63\].*expects/);
    const dtype = await infer(
      a,
      keyA.key,
      imagesBody({ datatype: 'BOOL', data: new Array(640).fill(false) }),
    );
    expect(dtype.status).toBe(400);
    expect(dtype.body.error).toMatch(/datatype BOOL.*expects FP32/);
  });

  it('sends 20% ± 5% of 500 requests to a canary, which MLflow knows as the challenger', async () => {
    const canary = await api(alice)
      .put(`/deployments/${a.id}/traffic`, {
        weights: { '1': 80, '2': 20 },
        reason: 'canary',
      })
      .expect(200);
    expect(canary.body.versions).toEqual([
      { version: '1', weight: 80 },
      { version: '2', weight: 20 },
    ]);
    expect(await alias('challenger')).toBe('2');
    await waitHealthy(a.id);
    // Until the new ingress (which knows version 2) answers.
    await eventually('version 2 answers', async () => {
      for (let i = 0; i < 10; i++) {
        if ((await infer(a, keyA.key)).version === '2') return true;
      }
      return undefined;
    });

    const versions: Record<string, number> = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 500) {
          next += 1;
          const answer = await infer(a, keyA.key);
          expect(answer.status).toBe(200);
          expect(answer.body.outputs[0].data).toEqual(
            registered.versions[answer.version!],
          );
          versions[answer.version!] = (versions[answer.version!] ?? 0) + 1;
        }
      }),
    );
    expect(versions['1'] + versions['2']).toBe(500);
    expect(versions['2'] / 500).toBeGreaterThanOrEqual(0.15);
    expect(versions['2'] / 500).toBeLessThanOrEqual(0.25);
  });

  it("charts the canary from Prometheus: each version's rate, latency and errors, as Prometheus answers them", async () => {
    type Metrics = {
      start: string;
      end: string;
      stepSeconds: number;
      requestRate: {
        version: string;
        code?: string;
        points: { t: number; v: number }[];
      }[];
      latencyP50Ms: { version: string; points: { t: number; v: number }[] }[];
      errorRatio: { version: string; points: { t: number; v: number }[] }[];
    };
    // The ingress's counters reach Prometheus through Ray's metrics agent within ~15 s.
    const metrics = await eventually(
      'both versions in the request-rate chart',
      async () => {
        const answer = await api(alice)
          .get(`/deployments/${a.id}/metrics?window=15m`)
          .expect(200);
        const body = answer.body as Metrics;
        const ok = body.requestRate.filter(s => s.code === '2xx');
        return ['1', '2'].every(v =>
          ok.some(s => s.version === v && s.points.length),
        )
          ? body
          : undefined;
      },
      120_000,
    );
    // The 401s of the key test were refused before a version was chosen.
    expect(metrics.requestRate).toContainEqual(
      expect.objectContaining({ version: 'none', code: '4xx' }),
    );
    const p50 = metrics.latencyP50Ms.find(s => s.version === '1')!;
    expect(p50.points.some(p => p.v > 0 && p.v < 5000)).toBe(true);
    for (const s of metrics.errorRatio) {
      for (const p of s.points) expect(p.v).toBe(0);
    }

    // The same queries, sent to Prometheus directly over the same range, give the same points.
    const queries = deploymentQueries(a, metrics.stepSeconds);
    const prometheus = new PrometheusClient(prometheusUrl!);
    const direct = await prometheus.queryRange(queries.requestRate, {
      start: new Date(metrics.start),
      end: new Date(metrics.end),
      stepSeconds: metrics.stepSeconds,
    });
    // A scrape still in flight may add a point near the end: compare up to 20 s before it.
    const settled = new Date(metrics.end).getTime() - 20_000;
    for (const series of metrics.requestRate) {
      const same = direct.find(
        d =>
          d.labels.model_version === series.version &&
          d.labels.code === series.code,
      );
      expect(same).toBeDefined();
      expect(series.points.filter(p => p.t < settled)).toEqual(
        same!.points
          .map(([t, v]) => ({ t: t * 1000, v }))
          .filter(p => p.t < settled),
      );
    }

    await api(bob).get(`/deployments/${a.id}/metrics`).expect(404);

    // The keys' "last used", copied from the same metrics into the keys' records.
    const startedAt = Date.now();
    const used = await eventually(
      "the key's last use recorded",
      async () => {
        await tasks.get('serving-api-key-usage')!.run();
        const keys = await api(alice)
          .get(`/deployments/${a.id}/keys`)
          .expect(200);
        return (keys.body.items as { id: string; lastUsedAt?: string }[]).find(
          k => k.id === keyA.id && k.lastUsedAt,
        );
      },
      60_000,
    );
    expect(Date.parse(used.lastUsedAt!)).toBeGreaterThan(
      startedAt - 10 * 60_000,
    );
    expect(Date.parse(used.lastUsedAt!)).toBeLessThanOrEqual(Date.now());
  });

  it('promotes and rolls back under a steady stream without losing a request; B is undisturbed', async () => {
    const onA = stream(a, keyA.key, 3);
    const onB = stream(b, keyB.key, 1);
    await sleep(1000);

    await api(alice)
      .post(`/deployments/${a.id}/promote`, { reason: 'better' })
      .expect(200);
    expect(await alias('champion')).toBe('2');
    expect(await alias('challenger')).toBeUndefined();
    await waitHealthy(a.id);
    await eventually('only version 2 answers', async () => {
      for (let i = 0; i < 5; i++) {
        if ((await infer(a, keyA.key)).version !== '2') return undefined;
      }
      return true;
    });
    // Version 1 drained, then removed from Serve (which restarts the application's replicas).
    await waitServedVersions(SLUG_A, ['2']);

    await api(alice)
      .post(`/deployments/${a.id}/rollback`, { version: '1', reason: 'drift' })
      .expect(200);
    expect(await alias('champion')).toBe('1');
    await waitHealthy(a.id);
    await eventually('only version 1 answers', async () => {
      for (let i = 0; i < 5; i++) {
        if ((await infer(a, keyA.key)).version !== '1') return undefined;
      }
      return true;
    });
    await sleep(1000);

    const countsA = await onA.stop();
    const countsB = await onB.stop();
    // eslint-disable-next-line no-console
    console.log(
      `promote + rollback stream: A ${JSON.stringify(
        countsA,
      )} B ${JSON.stringify(countsB)}`,
    );
    expect(countsA.failed).toEqual([]);
    expect(countsA.ok).toBeGreaterThan(20);
    expect(countsA.versions['2']).toBeGreaterThan(0);
    expect(countsB.failed).toEqual([]);
    expect(Object.keys(countsB.versions)).toEqual(['1']);
  });

  it("answers 404 to another team's user on every management route", async () => {
    const id = a.id;
    const answers = await Promise.all([
      api(bob).get(`/deployments/${id}`),
      api(bob).get(`/deployments/${id}/keys`),
      api(bob).get(`/deployments/${id}/history`),
      api(bob).post(`/deployments/${id}/keys`, { name: 'x' }),
      api(bob).delete(`/deployments/${id}/keys/${keyA.id}`),
      api(bob).put(`/deployments/${id}/traffic`, { weights: { '1': 100 } }),
      api(bob).post(`/deployments/${id}/promote`),
      api(bob).post(`/deployments/${id}/rollback`, { version: '2' }),
      api(bob).delete(`/deployments/${id}`),
    ]);
    expect(answers.map(r => r.status)).toEqual(
      new Array(answers.length).fill(404),
    );
    const list = await api(bob).get('/deployments').expect(200);
    expect(list.body.items).toEqual([]);
    // Still alice's, still answering.
    expect((await infer(a, keyA.key)).status).toBe(200);
  });

  it('undeploys A; B keeps answering through it', async () => {
    const onB = stream(b, keyB.key, 1);
    await api(alice).delete(`/deployments/${a.id}`).expect(204);
    created.splice(
      created.findIndex(d => d.id === a.id),
      1,
    );
    await eventually('A gone from Serve', async () => {
      const answer = await infer(a, keyA.key);
      return answer.status === 404 ? true : undefined;
    });
    const countsB = await onB.stop();
    expect(countsB.failed).toEqual([]);
    expect(countsB.ok).toBeGreaterThan(0);
    expect((await storedState(b.id)).state).toBe('HEALTHY');
  });

  // Here, not in afterAll: the test backend stops before afterAll runs, and a deployment left on
  // the test Ray would take CPU from every test after this file.
  it('undeploys B: Ray Serve runs nothing of this test any more', async () => {
    await api(alice).delete(`/deployments/${b.id}`).expect(204);
    created.splice(
      created.findIndex(d => d.id === b.id),
      1,
    );
    const gone = await eventually('B gone from Serve', async () =>
      (await serveApplication(SLUG_B)) ? undefined : true,
    );
    expect(gone).toBe(true);
  });
});
