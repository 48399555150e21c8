import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import {
  DriftCheck,
  DriftMonitor,
} from '@internal/backstage-plugin-drift-common';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- end to end: serving beside drift
import servingPlugin from '@internal/backstage-plugin-serving-backend';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import {
  closedPortUrl,
  MlflowRestClient,
  MlflowTeamAccess,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import {
  alice,
  bob,
  TEAM_A,
  TEAM_B,
  teamServices,
} from '@internal/mlops-node/testUtils';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignedDelivery,
} from './alerts/signedWebhook';
import { driftPlugin } from './plugin';

/*
 * End to end, against the test stack's real Ray (Serve and jobs) and MLflow: a team registers a
 * digits image classifier with its drift reference as training does, deploys it with the serving
 * plugin, sends clean and then noisy images through its API, and the drift plugin's checks (Ray
 * jobs reading the ingress's Parquet inference log) find no drift, then drift.
 */

const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const admin = requireTestMlflowCredentials();
const python = path.join(
  process.env.MLOPS_VENV ?? path.resolve(__dirname, '../../../.venv'),
  'bin',
  'python',
);

jest.setTimeout(300_000);

const suffix = randomUUID().slice(0, 6);
const MODEL = `e2e-drift-digits-${suffix}`;
const SLUG = `drift-digits-${suffix}`;
/** Images per request. */
const BATCH = 5;

type Registered = {
  version: string;
  clean: number[][][][];
  cleanLabels: string[];
  noisy: number[][][][];
};

// Ray's processes run as their own user: the log folder is writable by all, listable by none.
const logRoot = mkdtempSync(path.join(tmpdir(), 'drift-e2e-log-'));
chmodSync(logRoot, 0o1733);
let server: any;
/** What the plugin sent to the team's notifications and to the (n8n) webhook. */
const notificationsSent: NotificationSendOptions[] = [];
const webhookDeliveries: { headers: IncomingHttpHeaders; body: string }[] = [];
const WEBHOOK_SECRET = `e2e-${randomUUID()}`;
let webhook: Server;
const tasks = new Map<string, () => Promise<void>>();
let registered: Registered;
let deployment: ModelDeploymentDetails;
let apiKey: string;

async function registerModel(): Promise<Registered> {
  const teams = new MlflowTeamAccess(
    new MlflowRestClient(mlflowUrl, admin),
    admin,
  );
  const team = await teams.prepareJob(TEAM_A, MODEL);
  const { stdout } = await promisify(execFile)(
    python,
    [path.join(__dirname, 'e2e', 'register_digit_images.py'), MODEL],
    {
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflowUrl,
        MLFLOW_TRACKING_USERNAME: team.username,
        MLFLOW_TRACKING_PASSWORD: team.password,
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function startWebhook(): Promise<string> {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'POST')
        webhookDeliveries.push({ headers: req.headers, body });
      res.end();
    });
  });
  await new Promise<void>(resolve => webhook.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${
    (webhook.address() as AddressInfo).port
  }/webhook/drift`;
}

async function startBackend() {
  const webhookUrl = await startWebhook();
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: async task => {
      tasks.set(task.id, () =>
        Promise.resolve(task.fn(new AbortController().signal)),
      );
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
      driftPlugin,
      // Each plugin gets its own in-memory SQLite database (the test backend's default).
      scheduler.factory,
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async options => {
            notificationsSent.push(options);
          },
        }),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            mlflow: { trackingUrl: mlflowUrl, ...admin },
            rayClusters: {
              clusters: [
                cluster('drift-e2e-a', TEAM_A),
                cluster('drift-e2e-b', TEAM_B),
              ],
            },
            drift: {
              n8n: { webhookUrl, webhookSecret: WEBHOOK_SECRET },
            },
            serving: {
              // Used only if this test is the first to start Serve on the test Ray.
              serveHttp: { host: '127.0.0.1', port: serveHttpPort },
              inferenceLog: {
                uri: `file://${logRoot}`,
                batchSize: 20,
                flushIntervalSeconds: 1,
              },
            },
          },
        },
      }),
      ...teamServices(),
    ],
  }));
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function eventually<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 150_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`Timed out: ${what}`);
    await sleep(1000);
  }
}

function api(plugin: 'serving' | 'drift', who: string) {
  const url = (route: string) => `/api/${plugin}${route}`;
  return {
    get: (route: string) =>
      request(server).get(url(route)).set('Authorization', who),
    post: (route: string, body: object = {}) =>
      request(server).post(url(route)).set('Authorization', who).send(body),
    delete: (route: string) =>
      request(server).delete(url(route)).set('Authorization', who),
  };
}

/** Sends the images in requests of BATCH; every request must be answered. Their ids. */
async function send(images: number[][][][]): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 0; first < images.length; first += BATCH) {
    const batch = images.slice(first, first + BATCH);
    const response = await fetch(
      `${deployment.endpoint}/v2/models/${deployment.name}/infer`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${apiKey}`,
        },
        body: JSON.stringify({
          inputs: [
            {
              name: 'input-0',
              shape: [batch.length, 1, 8, 8],
              datatype: 'FP32',
              data: batch.flat(3),
            },
          ],
        }),
      },
    );
    expect(response.status).toBe(200);
    ids.push((await response.json()).id);
  }
  return ids;
}

/** Parquet files the ingress has written for the deployment so far. */
function loggedFiles(): number {
  const folder = path.join(logRoot, deployment.id);
  try {
    return readdirSync(folder, { recursive: true }).filter(name =>
      String(name).endsWith('.parquet'),
    ).length;
  } catch {
    return 0;
  }
}

/** Runs a check of the monitor now and waits for its end; the check with its report. */
async function runCheck(monitor: DriftMonitor): Promise<DriftCheck> {
  const started = await api('drift', alice)
    .post(`/monitors/${monitor.id}/checks`)
    .expect(202);
  expect(started.body).toMatchObject({ status: 'RUNNING', trigger: 'manual' });
  return eventually(`check ${started.body.id} finished`, async () => {
    const res = await api('drift', alice)
      .get(`/monitors/${monitor.id}/checks/${started.body.id}`)
      .expect(200);
    return res.body.status === 'RUNNING' ? undefined : res.body;
  });
}

beforeAll(async () => {
  const [model, backend] = await Promise.allSettled([
    registerModel(),
    startBackend(),
  ]);
  if (backend.status === 'rejected') throw backend.reason;
  if (model.status === 'rejected') throw model.reason;
  registered = model.value;

  const created = await api('serving', alice)
    .post('/deployments', {
      name: SLUG,
      modelName: MODEL,
      modelVersion: registered.version,
      cluster: 'drift-e2e-a',
      replicas: 1,
      cpus: 0.1,
      reason: 'drift end-to-end test',
    })
    .expect(201);
  const reconcile = tasks.get('serving-deployment-reconciler')!;
  deployment = await eventually('deployment HEALTHY', async () => {
    await reconcile();
    const res = await api('serving', alice).get(
      `/deployments/${created.body.id}`,
    );
    return res.body.state === 'HEALTHY' ? res.body : undefined;
  });
  const key = await api('serving', alice)
    .post(`/deployments/${deployment.id}/keys`, {
      name: 'drift-e2e',
      requestsPerSecond: 1000,
      burst: 2000,
    })
    .expect(201);
  apiKey = key.body.key;
  await eventually('the key accepted', async () => {
    try {
      await send(registered.clean.slice(0, BATCH));
      return true;
    } catch {
      return undefined;
    }
  });
});

afterAll(async () => {
  rmSync(logRoot, { recursive: true, force: true });
  await new Promise(resolve => webhook?.close(resolve));
});

describe('drift end to end on Ray and MLflow', () => {
  let monitor: DriftMonitor;

  it("creates a monitor of the team's deployment; another team can neither see it nor monitor the deployment", async () => {
    const res = await api('drift', alice)
      .post('/monitors', {
        name: 'digits-drift',
        deploymentId: deployment.id,
        window: { lastRequests: 60 },
      })
      .expect(201);
    monitor = res.body;
    expect(monitor).toMatchObject({
      owner: TEAM_A,
      deploymentName: SLUG,
      modelName: MODEL,
      cluster: 'drift-e2e-a',
      alpha: 0.05,
    });
    const answers = await Promise.all([
      api('drift', bob).get(`/monitors/${monitor.id}`),
      api('drift', bob).post(`/monitors/${monitor.id}/checks`),
      api('drift', bob).delete(`/monitors/${monitor.id}`),
      api('drift', bob).post(`/monitors/${monitor.id}/labels`, {
        labels: [{ requestId: 'r1', label: '1' }],
      }),
      api('drift', bob).post('/monitors', {
        name: 'stolen',
        deploymentId: deployment.id,
      }),
    ]);
    expect(answers.map(r => r.status)).toEqual([404, 404, 404, 404, 404]);
    const list = await api('drift', bob).get('/monitors').expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('finds no drift in clean requests, and their real accuracy from labels', async () => {
    const before = loggedFiles();
    const ids = await send(registered.clean);
    // Labels of the first 20 requests, by the ids their answers carried.
    const labels = ids.slice(0, 20).map((requestId, index) => ({
      requestId,
      label: registered.cleanLabels.slice(index * BATCH, (index + 1) * BATCH),
    }));
    await api('drift', alice)
      .post(`/monitors/${monitor.id}/labels`, { labels })
      .expect(200, { stored: 20, total: 20 });
    await eventually('the requests logged', async () =>
      loggedFiles() > before ? true : undefined,
    );
    await sleep(2000); // the last batch's flush
    const check = await runCheck(monitor);
    expect(check).toMatchObject({
      status: 'SUCCEEDED',
      verdict: 'NO_DRIFT',
      modelVersion: registered.version,
    });
    expect(check.report!.method).toBe('bbsd-ks');
    expect(check.report!.window.requests).toBe(60);
    // A test per class and per input statistic of the logged images.
    expect(check.report!.tests.map(test => test.name).slice(9)).toEqual([
      'p(class 9)',
      'input mean intensity',
      'input background level',
    ]);
    const accuracy = check.report!.accuracy!;
    expect(accuracy.reference).toBeGreaterThan(0.85);
    expect(accuracy.labelled).toBe(100);
    expect(accuracy.real).toBeGreaterThan(0.85);
    expect(check.realAccuracy).toBe(accuracy.real);
  });

  it('finds drift in noisy requests, with the images that drifted', async () => {
    const before = loggedFiles();
    await send(registered.noisy);
    await eventually('the requests logged', async () =>
      loggedFiles() > before ? true : undefined,
    );
    await sleep(2000);
    const check = await runCheck(monitor);
    expect(check).toMatchObject({ status: 'SUCCEEDED', verdict: 'DRIFT' });
    const report = check.report!;
    expect(report.tests.some(test => test.drifted)).toBe(true);
    expect(report.accuracy!.estimated!).toBeLessThan(
      report.accuracy!.reference! - 0.1,
    );
    expect(report.driftedSamples![0].image).toMatch(/^data:image\/png;base64,/);

    const history = await api('drift', alice)
      .get(`/monitors/${monitor.id}/checks`)
      .expect(200);
    expect(history.body.items.map((c: DriftCheck) => c.verdict)).toEqual([
      'DRIFT',
      'NO_DRIFT',
    ]);
    const listed = await api('drift', alice).get('/monitors').expect(200);
    expect(listed.body.items[0].lastCheck).toMatchObject({
      id: check.id,
      verdict: 'DRIFT',
    });

    // The team hears of it, and the webhook gets one signed event (none for the clean check).
    const delivery = await eventually('the webhook delivery', async () =>
      webhookDeliveries.length ? webhookDeliveries[0] : undefined,
    );
    expect(webhookDeliveries).toHaveLength(1);
    const event = JSON.parse(delivery.body);
    expect(event).toMatchObject({
      event: 'drift.detected',
      monitor: { id: monitor.id, owner: TEAM_A, deploymentName: SLUG },
      check: { id: check.id, verdict: 'DRIFT' },
    });
    const signed = {
      secret: WEBHOOK_SECRET,
      body: delivery.body,
      timestamp: delivery.headers[TIMESTAMP_HEADER] as string,
      signature: delivery.headers[SIGNATURE_HEADER] as string,
    };
    expect(verifySignedDelivery(signed)).toBe(true);
    expect(verifySignedDelivery({ ...signed, secret: 'forged' })).toBe(false);
    expect(notificationsSent).toEqual([
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: TEAM_A },
      }),
    ]);
  });

  it('runs a scheduled monitor from the scheduled task', async () => {
    const scheduled = await api('drift', alice)
      .post('/monitors', {
        name: 'digits-drift-hourly',
        deploymentId: deployment.id,
        window: { lastMinutes: 60 },
        intervalMinutes: 60,
      })
      .expect(201);
    const runTask = tasks.get('drift-checks')!;
    await runTask();
    const check = await eventually('the scheduled check finished', async () => {
      await runTask();
      const res = await api('drift', alice)
        .get(`/monitors/${scheduled.body.id}/checks`)
        .expect(200);
      const [latest] = res.body.items as DriftCheck[];
      return latest && latest.status !== 'RUNNING' ? latest : undefined;
    });
    expect(check).toMatchObject({
      trigger: 'schedule',
      status: 'SUCCEEDED',
      verdict: 'DRIFT',
    });
    // Not due again within its hour.
    await runTask();
    const res = await api('drift', alice)
      .get(`/monitors/${scheduled.body.id}/checks`)
      .expect(200);
    expect(res.body.items).toHaveLength(1);
  });

  it('undeploys the model: Ray Serve runs it no more, and takes no CPU from later tests', async () => {
    await api('serving', alice)
      .delete(`/deployments/${deployment.id}`)
      .expect(204);
    const gone = await eventually(
      'the application gone from Ray Serve',
      async () => {
        const serve = await fetch(`${rayUrl}/api/serve/applications/`, {
          headers: { Authorization: `Bearer ${rayToken}` },
        }).then(r => r.json());
        return `mlops-${SLUG}` in (serve.applications ?? {}) ? undefined : true;
      },
    );
    expect(gone).toBe(true);
  });
});
