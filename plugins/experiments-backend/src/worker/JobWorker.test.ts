import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import {
  DatabaseJobQueue,
  RayJobsClient,
} from '@internal/backstage-plugin-experiments-node';
import {
  mlflowAuthHeaders,
  requireTestMlflowCredentials,
  MlflowTeamAccess,
} from '@internal/mlops-node';
import { promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { DatasetCatalog } from '../catalog/DatasetCatalog';
import { TemplateCatalog } from '../catalog/TemplateCatalog';
import { MlflowClient } from '../service/MlflowClient';
import { RayClusters } from '../service/RayClusters';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';
import { createE2eRuntime } from '../__testUtils__/e2eRuntime';
import { JobWorker } from './JobWorker';
import { QueueConnector } from './QueueConnector';

// A real Ray head and MLflow server, started by the test command (scripts/test.sh).
const rayUrl = process.env.MLOPS_TEST_RAY_URL;
const rayToken = process.env.MLOPS_TEST_RAY_TOKEN;
const mlflowUrl = process.env.MLOPS_TEST_MLFLOW_URL;
const haveServices = Boolean(rayUrl && rayToken && mlflowUrl);
if (!haveServices) {
  // eslint-disable-next-line no-console
  console.warn(
    'Skipping the end-to-end worker tests: MLOPS_TEST_RAY_URL, MLOPS_TEST_RAY_TOKEN and MLOPS_TEST_MLFLOW_URL must name a running Ray head (its token) and MLflow server; scripts/test.sh sets them.',
  );
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const cluster = {
  name: 'local',
  title: 'Local',
  owner: 'group:default/team-a',
  driver: 'local' as const,
  dashboardUrl: rayUrl ?? '',
  token: rayToken,
};
const ray = new RayJobsClient(cluster);
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const JOB_TIMEOUT_MS = 60_000;

let runtimePath: string;
const backends: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  runtimePath = await createE2eRuntime();
});
afterAll(async () => {
  await fs.rm(runtimePath, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
});

async function startBackend(
  knex: Awaited<ReturnType<typeof databases.init>>,
  experiments: Record<string, any> = {},
  datasets: { datasetsKnex?: typeof knex; datasetsRoot?: string } = {},
) {
  const started = await startExperimentsBackend({
    knex,
    ...datasets,
    trackingUrl: mlflowUrl!,
    rayClusters: [cluster],
    experiments: {
      runtimePath,
      reconcileIntervalMs: 500,
      ...experiments,
      queue: {
        maxAttempts: 3,
        initialBackoffMs: 200,
        visibilityTimeoutMs: 1_000,
        ...experiments.queue,
      },
    },
  });
  backends.push(started.backend);
  return started;
}

async function submit(server: any, hyperparameters: object): Promise<string> {
  const res = await request(server)
    .post('/api/experiments/jobs')
    .send({ templateId: 'e2e-job', datasetId: 'mnist', hyperparameters })
    .expect(201);
  return res.body.id;
}

async function getJob(server: any, id: string): Promise<TrainingJob> {
  return (await request(server).get(`/api/experiments/jobs/${id}`).expect(200))
    .body;
}

function waitForState(server: any, id: string, states: string[]) {
  return waitFor(
    `job ${id} to reach ${states.join(' or ')}`,
    async () => {
      const job = await getJob(server, id);
      return states.includes(job.state) && job;
    },
    JOB_TIMEOUT_MS,
  );
}

async function raySubmissionsOf(id: string) {
  return (await ray.listSubmissionIds()).filter(s => s === id);
}

(haveServices ? describe : describe.skip)(
  'training jobs on a real Ray cluster',
  () => {
    it(
      'runs a job from the queue to SUCCEEDED, with its MLflow run, log and metrics',
      async () => {
        const { server } = await startBackend(await databases.init('SQLITE_3'));
        const id = await submit(server, { mode: 'succeed', seconds: 1 });
        const job = await waitForState(server, id, TERMINAL);

        expect(job).toMatchObject({
          state: 'SUCCEEDED',
          attempts: 1,
          raySubmissionId: id,
          mlflowRunId: expect.any(String),
          mlflowExperimentId: expect.any(String),
          registeredModel: { name: job.config.modelName, version: '1' },
          config: { runtimeVersion: '9.8.7', template: { id: 'e2e-job' } },
          links: {
            rayDashboard: `${rayUrl}/#/jobs/${id}`,
            mlflowRun: `${mlflowUrl}/#/experiments/${job.mlflowExperimentId}/runs/${job.mlflowRunId}`,
          },
        });
        expect(job.reason).toBeUndefined();
        expect(Date.parse(job.finishedAt!)).toBeGreaterThanOrEqual(
          Date.parse(job.startedAt!),
        );

        const logs = await request(server)
          .get(`/api/experiments/jobs/${id}/logs`)
          .expect(200);
        expect(logs.body.text).toContain(`job ${id} seed ${job.config.seed}`);
        // The worker gave the job the files of the MNIST version it pinned.
        expect(logs.body.text).toContain(
          `dataset mnist ${job.config.dataset.version}: 4 files verified`,
        );
        expect(logs.body.text).toContain('"kind": "mlops.result"');
        expect(logs.body.nextOffset).toBe(
          Buffer.byteLength(logs.body.text, 'utf8'),
        );
        await request(server)
          .get(
            `/api/experiments/jobs/${id}/logs?offset=${logs.body.nextOffset}`,
          )
          .expect(200, { text: '', nextOffset: logs.body.nextOffset });

        const metrics = await request(server)
          .get(`/api/experiments/jobs/${id}/metrics`)
          .expect(200);
        expect(metrics.body.items).toEqual([
          {
            key: 'loss',
            points: [0.9, 0.5, 0.3].map((value, step) => ({
              step,
              value,
              timestamp: expect.any(Number),
            })),
          },
        ]);
        expect(await raySubmissionsOf(id)).toEqual([id]);

        // The job logged as its team's MLflow user: the experiment it created is that user's
        // (MLflow gives the creator MANAGE). Ray redacts the job's environment in its API, and
        // the portal's admin password is nowhere in what Ray holds of the job.
        const admin = requireTestMlflowCredentials();
        const grant = await (
          await fetch(
            `${mlflowUrl}/api/3.0/mlflow/users/permissions/get?${new URLSearchParams(
              {
                username: 'team/default/team-a',
                resource_type: 'experiment',
                resource_id: job.mlflowExperimentId!,
              },
            )}`,
            { headers: mlflowAuthHeaders(admin) },
          )
        ).json();
        expect(grant).toEqual({ allowed: true, permission: 'MANAGE' });
        const rayJob = await (
          await fetch(`${rayUrl}/api/jobs/${id}`, {
            headers: { Authorization: `Bearer ${rayToken}` },
          })
        ).text();
        expect(rayJob).not.toContain(admin.password);
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'refuses to run a job on a cluster its team does not own: the job fails saying so and never reaches Ray',
      async () => {
        const { server, store } = await startBackend(
          await databases.init('SQLITE_3'),
        );
        const own = await submit(server, { mode: 'succeed' });
        const ownJob = await getJob(server, own);
        // A job of team B pinned to team A's cluster, as nothing in the API can make it.
        const foreign = {
          ...ownJob,
          id: randomUUID(),
          owner: 'group:default/team-b',
          state: 'QUEUED' as const,
          attempts: 0,
          raySubmissionId: undefined,
          rayJobId: undefined,
        };
        delete (foreign as Partial<typeof foreign>).links;
        await store.insertJob(foreign, { enqueue: true });

        const failed = await waitForState(server, foreign.id, TERMINAL);
        expect(failed).toMatchObject({
          state: 'FAILED',
          reason:
            'Ray cluster "local" is not a cluster of group:default/team-b: a job runs only on a cluster its team owns',
        });
        expect(await raySubmissionsOf(foreign.id)).toEqual([]);
        // The team's own job is submitted as usual.
        await waitForState(server, own, TERMINAL);
        expect(await raySubmissionsOf(own)).toEqual([own]);
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'fails a job whose training code raises with the last lines of the error, and keeps serving',
      async () => {
        const { server } = await startBackend(await databases.init('SQLITE_3'));
        const raising = await submit(server, { mode: 'raise' });
        const reporting = await submit(server, { mode: 'error' });
        const healthy = await submit(server, { mode: 'succeed' });

        const [raised, reported, succeeded] = await Promise.all(
          [raising, reporting, healthy].map(id =>
            waitForState(server, id, TERMINAL),
          ),
        );
        expect(raised.state).toBe('FAILED');
        expect(raised.reason).toMatch(/^training failed:\n/);
        expect(raised.reason).toMatch(
          /mlops_e2e_job\.py", line \d+, in <module>\n\s+raise ValueError\("labels and images differ in length"\)\nValueError: labels and images differ in length$/,
        );
        expect(reported).toMatchObject({ state: 'FAILED' });
        expect(reported.reason).toMatch(
          /^dataset not found: no IDX files in .*\/missing$/,
        );
        expect(succeeded.state).toBe('SUCCEEDED');
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'cancels a running job: Ray stops it and the job ends CANCELLED',
      async () => {
        const { server } = await startBackend(await databases.init('SQLITE_3'));
        const id = await submit(server, { mode: 'succeed', seconds: 60 });
        await waitForState(server, id, ['RUNNING']);
        const cancelling = await request(server)
          .post(`/api/experiments/jobs/${id}/cancel`)
          .expect(200);
        expect(['CANCELLING', 'CANCELLED']).toContain(cancelling.body.state);

        const job = await waitForState(server, id, TERMINAL);
        expect(job).toMatchObject({
          state: 'CANCELLED',
          reason: 'cancelled by user:default/mock',
        });
        expect((await ray.getJob(id))?.status).toBe('STOPPED');
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'redelivers a job whose worker died before the ack, and Ray still runs it once',
      async () => {
        const knex = await databases.init('SQLITE_3');
        // The second backend finds the dataset version the job pinned in the first one.
        const datasets = {
          datasetsKnex: await databases.init('SQLITE_3'),
          datasetsRoot: path.join(runtimePath, 'datasets'),
        };
        const first = await startBackend(
          knex,
          { worker: { enabled: false } },
          datasets,
        );
        const id = await submit(first.server, { mode: 'succeed' });

        // A worker that submits to Ray and dies before it records anything or acks.
        const database = mockServices.database({ knex });
        const queue = await DatabaseJobQueue.create({
          database,
          visibilityTimeoutMs: 1_000,
        });
        const logger = mockServices.logger.mock();
        const { port } = first.server.address() as AddressInfo;
        const pluginUrl = async (pluginId: string) =>
          `http://localhost:${port}/api/${pluginId}`;
        const dyingWorker = new JobWorker({
          store: first.store,
          queue: new QueueConnector(async () => queue),
          templates: await TemplateCatalog.load({ runtimePath, logger }),
          customModels: {
            jobConfig: () => Promise.reject(new Error('unused')),
          },
          datasets: new DatasetCatalog({
            discovery: {
              getBaseUrl: pluginUrl,
              getExternalBaseUrl: pluginUrl,
            },
            auth: mockServices.auth({ pluginId: 'experiments' }),
          }),
          clusters: new RayClusters({
            listClusters: () => [cluster],
            getClient: () => {
              throw new Error('unused');
            },
            getCluster: () => {
              throw new Error('unused');
            },
            ensureRunning: async () => {},
            setProvisioner: () => {},
          }),
          mlflowTeams: new MlflowTeamAccess(
            new MlflowClient(mlflowUrl!, requireTestMlflowCredentials()),
            requireTestMlflowCredentials(),
          ),
          logger,
          settings: {
            runtimePath,
            storagePath: runtimePath,
            trackingUrl: mlflowUrl!,
            prefetch: 1,
            entrypointNumCpus: 0.1,
          },
        });
        let dispatched!: () => void;
        const submitted = new Promise<void>(r => {
          dispatched = r;
        });
        await queue.consume(
          async message => {
            await dyingWorker.submit(
              (await first.store.getJob(message.jobId))!,
            );
            dispatched();
            return new Promise(() => {});
          },
          { prefetch: 1 },
        );
        await submitted;
        await queue.close();
        expect((await first.store.getJob(id))!.state).toBe('QUEUED');
        expect(await raySubmissionsOf(id)).toEqual([id]);

        // The next worker gets the delivery again once the lease expires. The first backend (no
        // worker) stays up: the job Ray already runs downloads its files from there.
        const second = await startBackend(knex, {}, datasets);
        const job = await waitForState(second.server, id, TERMINAL);
        expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
        expect(await raySubmissionsOf(id)).toEqual([id]);
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'finishes a job once when the backend restarts mid-training',
      async () => {
        const knex = await databases.init('SQLITE_3');
        const first = await startBackend(
          knex,
          {},
          { datasetsRoot: path.join(runtimePath, 'datasets-of-restart') },
        );
        const id = await submit(first.server, { mode: 'succeed', seconds: 4 });
        await waitForState(first.server, id, ['RUNNING']);
        // The job downloads its files from the first backend: it stops once they are read.
        await waitFor(
          `job ${id} to read its dataset`,
          async () =>
            (
              await request(first.server)
                .get(`/api/experiments/jobs/${id}/logs`)
                .expect(200)
            ).body.text.includes('files verified'),
          JOB_TIMEOUT_MS,
        );
        await first.backend.stop();

        // Two replicas over the same database follow the job at once.
        const second = await startBackend(knex);
        const third = await startBackend(knex);
        const job = await waitForState(second.server, id, TERMINAL);
        expect(job).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
        expect(await getJob(third.server, id)).toEqual(job);
        expect(await raySubmissionsOf(id)).toEqual([id]);
      },
      JOB_TIMEOUT_MS,
    );
  },
);
