import { TestDatabases } from '@backstage/backend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import {
  RabbitMqJobQueue,
  RayJobsClient,
} from '@internal/backstage-plugin-experiments-node';
import { holdTestBrokerLock } from '@internal/mlops-node';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createE2eRuntime } from '../__testUtils__/e2eRuntime';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';
import {
  queueDepths,
  restartableBroker,
  startRaySubmitGate,
} from './brokerRestartFixtures';

// A real Ray head and MLflow server (started by scripts/test.sh), and the machine's RabbitMQ,
// which this test stops and starts with rabbitmqctl.
const rayUrl = process.env.MLOPS_TEST_RAY_URL;
const rayToken = process.env.MLOPS_TEST_RAY_TOKEN;
const mlflowUrl = process.env.MLOPS_TEST_MLFLOW_URL;
const rabbitUrl = process.env.MLOPS_TEST_RABBITMQ_URL;
const onPath = (command: string) =>
  (process.env.PATH ?? '')
    .split(path.delimiter)
    .some(dir => dir && existsSync(path.join(dir, command)));
const missing = [
  ...[
    'MLOPS_TEST_RAY_URL',
    'MLOPS_TEST_RAY_TOKEN',
    'MLOPS_TEST_MLFLOW_URL',
    'MLOPS_TEST_RABBITMQ_URL',
  ].filter(name => !process.env[name]),
  ...['rabbitmqctl', 'flock'].filter(command => !onPath(command)),
];
if (missing.length > 0) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the broker restart test: it needs a running Ray head, MLflow server and RabbitMQ broker (scripts/test.sh sets MLOPS_TEST_*), and rabbitmqctl and flock on PATH to restart the broker; missing: ${missing.join(
      ', ',
    )}`,
  );
}
const describeIfReady = missing.length === 0 ? describe : describe.skip;

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const JOB_SECONDS = 6;
const retryOptions = { maxAttempts: 3, initialBackoffMs: 200 };

describeIfReady(
  'a RabbitMQ broker restart with training jobs in flight',
  () => {
    // No other suite may use the broker while it restarts.
    holdTestBrokerLock(rabbitUrl ?? 'amqp://127.0.0.1:5672', 'exclusive');

    let runtimePath: string;
    beforeAll(async () => {
      runtimePath = await createE2eRuntime();
    });
    afterAll(async () => {
      await fs.rm(runtimePath, { recursive: true, force: true });
    });

    it('ends every queued and running job exactly once: none lost, none run twice', async () => {
      const ray = new RayJobsClient({ dashboardUrl: rayUrl!, token: rayToken });
      const broker = restartableBroker(rabbitUrl!);
      // Lets the first submission to Ray through and holds the next: the worker is mid-dispatch.
      const gate = await startRaySubmitGate(rayUrl!, 1);
      const queueName = `experiments.test.restart.${randomUUID()}`;
      const knex = await databases.init('SQLITE_3');
      let backend: { stop(): Promise<void> } | undefined;
      try {
        const started = await startExperimentsBackend({
          knex,
          trackingUrl: mlflowUrl!,
          rayClusters: [
            {
              name: 'local',
              owner: 'group:default/team-a',
              driver: 'local',
              dashboardUrl: gate.url,
              token: rayToken!,
            },
          ],
          experiments: {
            runtimePath,
            reconcileIntervalMs: 500,
            worker: { prefetch: 1 },
            queue: {
              driver: 'rabbitmq',
              ...retryOptions,
              rabbitmq: { url: rabbitUrl!, queueName },
            },
          },
        });
        const { server, store } = started;
        backend = started.backend;
        // Every write of a job's state, as the database sees it.
        await knex.raw(
          'CREATE TABLE test_state_writes (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT, from_state TEXT, to_state TEXT)',
        );
        await knex.raw(
          `CREATE TRIGGER test_state_writes_log AFTER UPDATE OF state ON training_jobs
         BEGIN INSERT INTO test_state_writes (job_id, from_state, to_state) VALUES (old.id, old.state, new.state); END`,
        );

        const ids: string[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await request(server)
            .post('/api/experiments/jobs')
            .send({
              templateId: 'e2e-job',
              datasetId: 'mnist',
              hyperparameters: { mode: 'succeed', seconds: JOB_SECONDS },
            })
            .expect(201);
          ids.push(res.body.id);
        }

        // One job runs on Ray, one is being dispatched (unacked), two wait in RabbitMQ only.
        await Promise.all([
          waitFor(
            'a job RUNNING on Ray',
            async () => {
              for (const id of ids) {
                if ((await ray.getJob(id))?.status === 'RUNNING') return true;
              }
              return false;
            },
            60_000,
          ),
          waitFor(
            'a submission held mid-dispatch and two jobs ready in RabbitMQ',
            async () => {
              const depth = (await queueDepths(queueName)).get(queueName);
              return (
                gate.heldSubmissions() === 1 &&
                depth?.ready === 2 &&
                depth.unacked === 1
              );
            },
            60_000,
          ),
        ]);
        expect(await store.listOutbox()).toEqual([]);
        const before = await store.getJobs(ids);
        expect(before.filter(j => j?.state === 'QUEUED')).toHaveLength(3);

        await broker.stop();
        // Ray accepts the held submission while the broker is down: the worker cannot ack it.
        await gate.release();
        await broker.start();

        const jobs = await Promise.all(
          ids.map(id =>
            waitFor(
              `job ${id} to end`,
              async () => {
                const job: TrainingJob = (
                  await request(server).get(`/api/experiments/jobs/${id}`)
                ).body;
                return TERMINAL.includes(job.state) && job;
              },
              90_000,
            ),
          ),
        );
        for (const job of jobs) {
          expect(job).toMatchObject({
            state: 'SUCCEEDED',
            raySubmissionId: job.id,
            finishedAt: expect.any(String),
          });
          expect(job.attempts).toBeGreaterThanOrEqual(1);
        }

        // Each job went QUEUED → STARTING (→ RUNNING) → SUCCEEDED once; nothing rewrote a state.
        const writes: Array<{
          job_id: string;
          from_state: string;
          to_state: string;
        }> = await knex('test_state_writes').orderBy('id');
        for (const id of ids) {
          const states = writes
            .filter(w => w.job_id === id)
            .map(w => `${w.from_state}>${w.to_state}`)
            .join(' ');
          expect({ id, states }).toEqual({
            id,
            states: expect.stringMatching(
              /^QUEUED>STARTING (STARTING>RUNNING RUNNING>SUCCEEDED|STARTING>SUCCEEDED)$/,
            ),
          });
        }

        // Ray has one run of each job, and each ran its training code once.
        const submissions = (await ray.listSubmissionIds()).filter(s =>
          ids.includes(s),
        );
        expect(submissions.sort()).toEqual([...ids].sort());
        for (const id of ids) {
          const log = (await ray.getLogs(id)) ?? '';
          expect(
            log.split('\n').filter(l => l.startsWith(`job ${id} seed`)),
          ).toHaveLength(1);
        }

        // With the worker gone, every unacked delivery is back on the queue: there is none.
        await backend.stop();
        backend = undefined;
        const depths = await queueDepths(queueName);
        expect([...depths.keys()]).toEqual(
          expect.arrayContaining([queueName, `${queueName}.dead`]),
        );
        for (const [name, depth] of depths) {
          expect({ name, ...depth }).toEqual({ name, ready: 0, unacked: 0 });
        }
        expect(await store.listOutbox()).toEqual([]);
      } finally {
        await broker.ensureStarted();
        await gate.close();
        await backend?.stop();
        const cleaner = await RabbitMqJobQueue.create({
          url: rabbitUrl!,
          queueName,
          ...retryOptions,
        });
        await cleaner.deleteTopology();
        await cleaner.close();
      }
    }, 240_000);
  },
);
