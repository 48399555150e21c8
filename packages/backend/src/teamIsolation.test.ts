import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import {
  closedPortUrl,
  MlflowAnswer,
  MlflowRestClient,
  MlflowTeamAccess,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portalFeatures } from './features';
import { signInWithOidc, startOidcProvider } from './__testUtils__/oidc';
import { fillPath, mlopsRoutes } from './__testUtils__/routes';

/*
 * Two teams on one portal, each user signed in through the real path: the auth plugin's OIDC
 * provider against a real OpenID Connect server, resolved to User entities of the catalog, with
 * the portal's own permission policy and every backend plugin it runs. Alice (team-a) makes
 * things; Bob (team-b) tries every route on them.
 */

const ORG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-b }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec:
  profile: { email: alice@example.com, displayName: Alice }
  memberOf: [team-a]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: bob }
spec:
  profile: { email: bob@example.com, displayName: Bob }
  memberOf: [team-b]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: alpha-service-of-team-a }
spec: { type: service, lifecycle: production, owner: group:default/team-a }
`;

const TEMPLATE = `
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: slow-template, title: Slow template }
spec:
  owner: group:default/team-a
  type: service
  parameters:
    - properties:
        secretNote: { type: string }
  steps:
    - id: wait
      name: Wait
      action: debug:wait
      input: { seconds: 60 }
`;

/** Names alice gives her things; none may appear in anything bob receives. */
const SECRET_NAMES = [
  'alpha-secret-data',
  'alpha-secret-model',
  'alpha-secret-run',
  'alpha-secret-note',
  'alpha-secret-connection',
  'alpha-bucket',
  'alpha-key-id',
  'alpha-secret-access-key',
  'alpha-secret-deployment',
  'alpha-secret-api-key',
  'alpha-secret-monitor',
];

const CUSTOM_MODEL = `
import torch

HYPERPARAMETER_SCHEMA = {"type": "object", "properties": {}}


def build_model(config):
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
`;

let tmp: string;
let backendUrl: string;
let backend: ReturnType<typeof createBackend>;
let stopOidc: () => Promise<void>;
const tokens: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

function portOf(url: string) {
  return Number(new URL(url).port);
}

async function call(
  who: 'alice' | 'bob' | 'nobody',
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const verb = method.toUpperCase();
  const payload = verb === 'GET' || verb === 'HEAD' ? undefined : body;
  const response = await fetch(`${backendUrl}${path}`, {
    method: verb,
    headers: {
      ...(who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` }),
      ...(payload === undefined || typeof payload === 'string'
        ? {}
        : { 'content-type': 'application/json' }),
      ...headers,
    },
    body:
      payload === undefined || typeof payload === 'string'
        ? (payload as string | undefined)
        : JSON.stringify(payload),
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function created(
  method: string,
  path: string,
  body: unknown,
  headers?: Record<string, string>,
) {
  const res = await call('alice', method, path, body, headers);
  if (res.status >= 300) {
    throw new Error(
      `alice: ${method} ${path} answered ${res.status} ${res.text}`,
    );
  }
  return JSON.parse(res.text);
}

async function eventually<T>(what: string, attempt: () => Promise<T>) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: ${error}`);
      }
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'team-isolation-'));
  writeFileSync(join(tmp, 'org.yaml'), ORG);
  writeFileSync(join(tmp, 'template.yaml'), TEMPLATE);
  backendUrl = await closedPortUrl();
  const oidcUrl = await closedPortUrl();
  const oidc = await startOidcProvider({
    port: portOf(oidcUrl),
    clientId: 'portal',
    clientSecret: 'portal-secret',
    redirectUri: `${backendUrl}/api/auth/oidc/handler/frame`,
    accounts: {
      alice: { email: 'alice@example.com', name: 'Alice' },
      bob: { email: 'bob@example.com', name: 'Bob' },
    },
  });
  stopOidc = oidc.stop;

  backend = createBackend();
  backend.add(mockServices.rootLogger.factory({ level: 'warn' }));
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        app: { baseUrl: backendUrl },
        backend: {
          baseUrl: backendUrl,
          listen: { host: '127.0.0.1', port: portOf(backendUrl) },
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
        auth: {
          environment: 'development',
          session: { secret: 'team-isolation-session-secret' },
          providers: {
            oidc: {
              development: {
                metadataUrl: `${oidc.issuer}/.well-known/openid-configuration`,
                clientId: 'portal',
                clientSecret: 'portal-secret',
                prompt: 'auto',
                signIn: {
                  resolvers: [
                    { resolver: 'emailMatchingUserEntityProfileEmail' },
                  ],
                },
              },
            },
          },
        },
        catalog: {
          rules: [
            {
              allow: [
                'Component',
                'System',
                'Resource',
                'Location',
                'Template',
                'User',
                'Group',
              ],
            },
          ],
          locations: [
            { type: 'file', target: join(tmp, 'org.yaml') },
            { type: 'file', target: join(tmp, 'template.yaml') },
          ],
        },
        permission: { enabled: true },
        mlops: {
          signInProviders: ['oidc'],
          permissions: { admins: ['group:default/mlops-admins'] },
          mlflow: {
            trackingUrl: requireTestService('MLOPS_TEST_MLFLOW_URL'),
            ...requireTestMlflowCredentials(),
          },
          monitoring: {
            prometheus: {
              baseUrl: requireTestService('MLOPS_TEST_PROMETHEUS_URL'),
            },
          },
          rayClusters: {
            clusters: [
              {
                name: 'alpha-ray',
                driver: 'external',
                owner: 'group:default/team-a',
                dashboardUrl: requireTestService('MLOPS_TEST_RAY_URL'),
                token: requireTestService('MLOPS_TEST_RAY_TOKEN'),
              },
            ],
            quotas: { default: { maxClusters: 1, maxCpus: 2, maxGpus: 0 } },
          },
          experiments: {
            queue: { driver: 'database' },
            defaultCluster: 'alpha-ray',
            storagePath: join(tmp, 'training'),
          },
          datasets: {
            objectStore: { type: 'local', root: join(tmp, 'datasets') },
            uploadTempDir: join(tmp, 'uploads'),
            samples: { enabled: false },
            connections: {
              encryptionKey: Buffer.alloc(32, 7).toString('base64'),
            },
          },
          projects: { localGitRoot: join(tmp, 'projects') },
          serving: {
            inferenceLog: { uri: `file://${join(tmp, 'inference-logs')}` },
          },
          // The S3 server of the tests listens on loopback.
          network: { allowedEndpoints: ['127.0.0.1/32'] },
        },
      },
    }),
  );
  for (const feature of portalFeatures) {
    backend.add(feature);
  }
  await backend.start();

  // The catalog reads the org file after start; sign-in resolves users from it.
  tokens.alice = await eventually('alice signs in', () =>
    signInWithOidc(backendUrl, 'alice'),
  );
  tokens.bob = await eventually('bob signs in', () =>
    signInWithOidc(backendUrl, 'bob'),
  );
}, 300_000);

afterAll(async () => {
  await backend?.stop();
  await stopOidc?.();
  rmSync(tmp, { recursive: true, force: true });
});

/** A value of the same shape as `value` that names nothing that exists. */
function missingLike(key: string, value: string): string {
  if (/^[0-9a-f-]{36}$/.test(value)) return randomUUID();
  if (/^[0-9a-f]{64}$/.test(value)) return '0'.repeat(64);
  if (key === 'partNumber') return value;
  if (/^\d+$/.test(value)) return '999';
  return `no-such-${key.replace(/\W/g, '')}`;
}

/** What alice made: every id a route of the walk needs. */
const made: Record<string, string> = {};

describe('two teams signed in through OIDC', () => {
  it('signs each user in as their own catalog user', async () => {
    const alice = JSON.parse(
      Buffer.from(tokens.alice.split('.')[1], 'base64url').toString(),
    );
    const bob = JSON.parse(
      Buffer.from(tokens.bob.split('.')[1], 'base64url').toString(),
    );
    expect(alice.sub).toBe('user:default/alice');
    expect(bob.sub).toBe('user:default/bob');
    const identity = await call('alice', 'get', '/api/auth/v1/userinfo');
    expect(identity.status).toBe(200);
    expect(JSON.parse(identity.text).claims.ent).toContain(
      'group:default/team-a',
    );
  }, 120_000);

  it('alice makes a dataset, a version, an upload session, a job and a custom model', async () => {
    const dataset = await created('post', '/api/datasets/datasets', {
      name: 'alpha-secret-data',
      description: 'alpha-secret-note',
    });
    made.id = dataset.id;
    made['datasets:id'] = dataset.id;
    const version = await created(
      'post',
      `/api/datasets/datasets/${dataset.id}/files?path=iris.csv`,
      'sepal,petal,species\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n1,3,a\n2,4,b\n',
      { 'content-type': 'text/csv' },
    );
    made.version = version.version;
    const session = await created(
      'post',
      `/api/datasets/datasets/${dataset.id}/upload-sessions`,
      { path: 'more.csv', size: 10 },
    );
    made.sessionId = session.id;
    made.partNumber = '1';
    // The test S3 server (moto) takes an unsigned bucket creation.
    const s3 = requireTestService('MLOPS_TEST_S3_URL');
    expect((await fetch(`${s3}/alpha-bucket`, { method: 'PUT' })).ok).toBe(
      true,
    );
    const connection = await created('post', '/api/datasets/connections', {
      name: 'alpha-secret-connection',
      endpoint: s3,
      bucket: 'alpha-bucket',
      region: 'us-east-1',
      accessKeyId: 'alpha-key-id',
      secretAccessKey: 'alpha-secret-access-key',
    });
    made['datasets/connections:id'] = connection.id;

    const model = await eventually('alice uploads a custom model', () =>
      created('post', '/api/experiments/custom-models', {
        name: 'alpha-secret-model',
        source: CUSTOM_MODEL,
      }),
    );
    made.name = model.name;
    made['experiments:version'] = String(model.version);

    const job = await created('post', '/api/experiments/jobs', {
      name: 'alpha-secret-run',
      templateId: 'tabular-logreg',
      datasetId: dataset.id,
      datasetVersion: version.version,
      cluster: 'alpha-ray',
      hyperparameters: { target_column: 'species' },
    });
    made['experiments:id'] = job.id;
    made['monitoring/jobs:id'] = job.id;
    made['ray-clusters:name'] = 'alpha-ray';
    made['monitoring/clusters:name'] = 'alpha-ray';
    expect(job).toMatchObject({ owner: 'group:default/team-a' });
  }, 300_000);

  it('alice deploys a model version on her cluster and makes an API key', async () => {
    // A version of team-a's registered model, as a job of the team registers it. Its files do
    // not exist: Ray Serve never gets it healthy, which no route here needs.
    const mlflow = new MlflowRestClient(
      requireTestService('MLOPS_TEST_MLFLOW_URL'),
      requireTestMlflowCredentials(),
    );
    const teams = new MlflowTeamAccess(mlflow, requireTestMlflowCredentials());
    await teams.prepareJob('group:default/team-a', 'alpha-secret-model');
    const mlflowAnswer = async <T>(
      what: string,
      answer: Promise<MlflowAnswer<T>>,
    ) => {
      const result = await answer;
      if (!result.ok) throw new Error(`MLflow: ${what}: ${result.message}`);
      return result.body;
    };
    const experiment = await mlflowAnswer(
      'experiment',
      mlflow.call<{ experiment: { experiment_id: string } }>(
        'GET',
        '/api/2.0/mlflow/experiments/get-by-name',
        { experiment_name: 'alpha-secret-model' },
      ),
    );
    const run = await mlflowAnswer(
      'run',
      mlflow.call<{ run: { info: { run_id: string } } }>(
        'POST',
        '/api/2.0/mlflow/runs/create',
        { experiment_id: experiment.experiment.experiment_id },
      ),
    );
    const runId = run.run.info.run_id;
    const version = await mlflowAnswer(
      'model version',
      mlflow.call<{ model_version: { version: string } }>(
        'POST',
        '/api/2.0/mlflow/model-versions/create',
        {
          name: 'alpha-secret-model',
          source: `runs:/${runId}/model`,
          run_id: runId,
        },
      ),
    );
    const deployment = await created('post', '/api/serving/deployments', {
      name: 'alpha-secret-deployment',
      modelName: 'alpha-secret-model',
      modelVersion: version.model_version.version,
      cluster: 'alpha-ray',
      replicas: 1,
      cpus: 0.1,
    });
    expect(deployment).toMatchObject({ owner: 'group:default/team-a' });
    made['serving:id'] = deployment.id;
    const key = await created(
      'post',
      `/api/serving/deployments/${deployment.id}/keys`,
      { name: 'alpha-secret-api-key' },
    );
    made['serving:keyId'] = key.id;
  }, 300_000);

  it('alice monitors her deployment for drift and runs a check', async () => {
    const monitor = await created('post', '/api/drift/monitors', {
      name: 'alpha-secret-monitor',
      deploymentId: made['serving:id'],
      window: { lastRequests: 100 },
    });
    expect(monitor).toMatchObject({
      owner: 'group:default/team-a',
      deploymentName: 'alpha-secret-deployment',
      cluster: 'alpha-ray',
    });
    made['drift:id'] = monitor.id;
    const check = await created(
      'post',
      `/api/drift/monitors/${monitor.id}/checks`,
      {},
    );
    expect(check).toMatchObject({ status: 'RUNNING', trigger: 'manual' });
    made['drift:checkId'] = check.id;
    // Bob cannot monitor alice's deployment either: to him it does not exist.
    const res = await call('bob', 'post', '/api/drift/monitors', {
      name: 'bobs-monitor',
      deploymentId: made['serving:id'],
    });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('alpha-secret');
  }, 300_000);

  it("walks every MLOps route as bob: alice's things answer as if they did not exist", async () => {
    const routes = mlopsRoutes();
    expect(routes.length).toBeGreaterThan(30);
    // The same shape of value, naming nothing that exists.
    const missing: Record<string, string> = Object.fromEntries(
      Object.entries(made).map(([key, value]) => [
        key,
        missingLike(key, value),
      ]),
    );
    // Each stand-in and the value it stands for (the first key's, where keys share one).
    const original: Record<string, string> = Object.fromEntries(
      Object.keys(made)
        .reverse()
        .map(key => [missing[key], made[key]]),
    );
    const standIns = new RegExp(
      Object.keys(original)
        .sort((a, b) => b.length - a.length)
        .map(value => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    const failures: string[] = [];
    for (const route of routes) {
      if (!route.path.includes(':')) continue;
      const path = `/api/${route.pluginId}${fillPath(route, made)}`;
      const res = await call('bob', route.method, path, {});
      const absent = await call(
        'bob',
        route.method,
        `/api/${route.pluginId}${fillPath(route, missing)}`,
        {},
      );
      // In one pass: a value put back must not be rewritten by the next key (a real id can
      // contain another key's stand-in, e.g. "999").
      const absentText = absent.text.replace(
        standIns,
        found => original[found],
      );
      const leaked = SECRET_NAMES.filter(
        name => res.text.includes(name) && !path.includes(name),
      );
      const problems = [
        ...([403, 404].includes(res.status) ? [] : [`answers ${res.status}`]),
        ...(res.status !== absent.status || res.text !== absentText
          ? [
              `differs from a missing one (${absent.status} ${absent.text.slice(
                0,
                120,
              )})`,
            ]
          : []),
        ...(leaked.length ? [`leaks ${leaked.join(', ')}`] : []),
      ];
      if (problems.length) {
        failures.push(
          `${route.method.toUpperCase()} ${path} (${
            route.source
          }): ${problems.join('; ')}: ${res.text.slice(0, 200)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("lists nothing of alice's to bob, status included", async () => {
    for (const route of mlopsRoutes()) {
      if (route.method !== 'get' || route.path.includes(':')) continue;
      const path = `/api/${route.pluginId}${route.path}`;
      const res = await call('bob', 'get', path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      for (const name of [...SECRET_NAMES, 'alpha-ray', made.id]) {
        expect({ path, leaks: res.text.includes(name) }).toEqual({
          path,
          leaks: false,
        });
      }
    }
  }, 120_000);

  it("refuses bob's job on alice's dataset or cluster without naming either", async () => {
    for (const body of [
      {
        templateId: 'tabular-logreg',
        datasetId: made.id,
        hyperparameters: { target_column: 'species' },
      },
      {
        templateId: 'tabular-logreg',
        datasetId: made.id,
        cluster: 'alpha-ray',
      },
    ]) {
      const res = await call('bob', 'post', '/api/experiments/jobs', body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      for (const name of SECRET_NAMES) {
        expect(res.text).not.toContain(name);
      }
    }
  }, 120_000);

  it('answers 401 on every MLOps route to a caller without a token', async () => {
    const failures: string[] = [];
    for (const route of mlopsRoutes()) {
      const path = `/api/${route.pluginId}${fillPath(route, made)}`;
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer not-a-token' },
      ]) {
        const res = await call('nobody', route.method, path, {}, headers);
        if (res.status !== 401) {
          failures.push(`${route.method.toUpperCase()} ${path}: ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("keeps alice's scaffolder task (parameters, logs, cancel, retry) from bob", async () => {
    const { id } = await created('post', '/api/scaffolder/v2/tasks', {
      templateRef: 'template:default/slow-template',
      values: { secretNote: 'alpha-secret-note' },
    });
    const list = await call('bob', 'get', '/api/scaffolder/v2/tasks');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(id);
    for (const [method, path] of [
      ['get', `/api/scaffolder/v2/tasks/${id}`],
      ['get', `/api/scaffolder/v2/tasks/${id}/events`],
      ['post', `/api/scaffolder/v2/tasks/${id}/cancel`],
      ['post', `/api/scaffolder/v2/tasks/${id}/retry`],
    ]) {
      const res = await call('bob', method, path, {});
      expect({ path, status: [403, 404].includes(res.status) }).toEqual({
        path,
        status: true,
      });
      expect(res.text).not.toContain('alpha-secret-note');
    }
    const own = await call('alice', 'get', `/api/scaffolder/v2/tasks/${id}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('alpha-secret-note');
    const cancelledAt = Date.now();
    await call('alice', 'post', `/api/scaffolder/v2/tasks/${id}/cancel`, {});
    // Until the task has ended: the scaffolder publishes an event when it does, which must
    // happen before the backend stops (a publish during shutdown fails the whole file).
    // The aborted wait step ends it as failed or cancelled, long before its 60 s.
    const ended = await eventually('the cancelled task ended', async () => {
      const task = await created('get', `/api/scaffolder/v2/tasks/${id}`, {});
      if (!['cancelled', 'failed', 'completed'].includes(task.status)) {
        throw new Error(`the task is ${task.status}`);
      }
      return task.status;
    });
    expect(['cancelled', 'failed']).toContain(ended);
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
  }, 120_000);

  it("keeps alice's catalog location and entities from bob's deletion", async () => {
    // Only the registration matters here: the catalog never reads this address (no
    // integration allows it), so nothing leaves the machine.
    const location = await created('post', '/api/catalog/locations', {
      type: 'url',
      target: `${backendUrl}/alpha-repository/catalog-info.yaml`,
    });
    const deleted = await call(
      'bob',
      'delete',
      `/api/catalog/locations/${location.location.id}`,
    );
    expect(deleted.status).toBe(403);
    const kept = await call(
      'alice',
      'get',
      `/api/catalog/locations/${location.location.id}`,
    );
    expect(kept.status).toBe(200);

    const entity = JSON.parse(
      (
        await call(
          'bob',
          'get',
          '/api/catalog/entities/by-name/component/default/alpha-service-of-team-a',
        )
      ).text,
    );
    const removal = await call(
      'bob',
      'delete',
      `/api/catalog/entities/by-uid/${entity.metadata.uid}`,
    );
    expect(removal.status).toBe(403);
    const still = await call(
      'alice',
      'get',
      '/api/catalog/entities/by-name/component/default/alpha-service-of-team-a',
    );
    expect(still.status).toBe(200);
  }, 120_000);

  it("keeps alice's deployment through bob's walk, and lets alice undeploy it", async () => {
    const path = `/api/serving/deployments/${made['serving:id']}`;
    expect((await call('bob', 'delete', `${path}?reason=mine`)).status).toBe(
      404,
    );
    expect((await call('alice', 'get', path)).status).toBe(200);
    const undeployed = await call('alice', 'delete', `${path}?reason=done`);
    expect(undeployed.status).toBeLessThan(300);
    expect((await call('alice', 'get', path)).status).toBe(404);
  }, 120_000);
});
