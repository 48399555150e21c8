import { TestDatabases } from '@backstage/backend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';
import {
  mlflowAuthHeaders,
  requireTestMlflowCredentials,
} from '@internal/mlops-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { rayStoragePath } from '../__testUtils__/e2eRuntime';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';

// A real Ray head and MLflow server, started by the test command (scripts/test.sh); the jobs run
// the repository's runtime (mlops_runtime.train), which reads the pinned version's files.
const rayUrl = process.env.MLOPS_TEST_RAY_URL;
const rayToken = process.env.MLOPS_TEST_RAY_TOKEN;
const mlflowUrl = process.env.MLOPS_TEST_MLFLOW_URL;
const haveServices = Boolean(rayUrl && rayToken && mlflowUrl);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const JOB_TIMEOUT_MS = 6 * 60_000;
const MNIST_FILES = [
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
];

let tmp: string;
const backends: Array<{ stop(): Promise<void> }> = [];
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-dataset-training-'));
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
  await fs.rm(tmp, { recursive: true, force: true });
});

async function startBackend(datasets?: object) {
  const started = await startExperimentsBackend({
    knex: await databases.init('SQLITE_3'),
    trackingUrl: mlflowUrl!,
    rayClusters: [
      {
        name: 'local',
        owner: 'group:default/team-a',
        driver: 'local',
        dashboardUrl: rayUrl!,
        token: rayToken!,
      },
    ],
    experiments: {
      storagePath: await rayStoragePath(tmp),
      reconcileIntervalMs: 500,
    },
    ...(datasets ? { datasets } : {}),
  });
  backends.push(started.backend);
  return started.server;
}

async function submitSmallRun(server: any): Promise<TrainingJob> {
  const res = await request(server)
    .post('/api/experiments/jobs')
    .send({
      templateId: 'mnist-cnn',
      datasetId: 'mnist',
      hyperparameters: { epochs: 1, train_samples: 500 },
      resources: { cpusPerWorker: 1 },
      seed: 3,
    })
    .expect(201);
  return res.body;
}

function waitForEnd(server: any, id: string) {
  return waitFor(
    `job ${id} to end`,
    async () => {
      const job: TrainingJob = (
        await request(server).get(`/api/experiments/jobs/${id}`).expect(200)
      ).body;
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) && job;
    },
    JOB_TIMEOUT_MS,
  );
}

(haveServices ? describe : describe.skip)(
  'training on a pinned dataset version of the datasets plugin',
  () => {
    it(
      'trains on the MNIST version it pinned, tags the MLflow run with it, and is listed under it',
      async () => {
        const server = await startBackend();
        const submitted = await submitSmallRun(server);
        const job = await waitForEnd(server, submitted.id);
        expect(job.reason).toBeUndefined();
        expect(job.state).toBe('SUCCEEDED');

        // The runtime materialized the version in the cache folder keyed by it, in the private
        // folder of the Ray account (uid-<uid>) in the shared cache root.
        const { id, version } = job.config.dataset;
        const cacheRoot = path.join(tmp, 'training', 'dataset-cache');
        const account = (await fs.readdir(cacheRoot)).find(entry =>
          /^uid-\d+$/.test(entry),
        );
        const cached = path.join(cacheRoot, account ?? '', id, version);
        expect((await fs.readdir(cached)).sort()).toEqual(MNIST_FILES);

        const run = await (
          await fetch(
            `${mlflowUrl}/api/2.0/mlflow/runs/get?run_id=${job.mlflowRunId}`,
            { headers: mlflowAuthHeaders(requireTestMlflowCredentials()) },
          )
        ).json();
        const tags = Object.fromEntries(
          run.run.data.tags.map((t: { key: string; value: string }) => [
            t.key,
            t.value,
          ]),
        );
        expect(tags).toMatchObject({
          'mlops.dataset.id': id,
          'mlops.dataset.version': version,
          'mlops.dataset.name': 'mnist',
        });

        const lineage = await request(server)
          .get('/api/experiments/jobs')
          .query({ datasetId: id, datasetVersion: version })
          .expect(200);
        expect(lineage.body.items.map((j: TrainingJob) => j.id)).toEqual([
          job.id,
        ]);
      },
      JOB_TIMEOUT_MS,
    );

    it(
      'fails a job whose dataset file no longer matches its version, naming the file',
      async () => {
        // An object store of its own, whose MNIST object this test changes.
        const root = path.join(tmp, 'objects');
        const server = await startBackend({
          objectStore: { type: 'local', root },
        });
        const datasets = await request(server)
          .get('/api/datasets/datasets')
          .expect(200);
        const mnist = datasets.body.items.find(
          (d: { name: string }) => d.name === 'mnist',
        );
        const version: DatasetVersion = (
          await request(server)
            .get(
              `/api/datasets/datasets/${mnist.id}/versions/${mnist.latestVersion}`,
            )
            .expect(200)
        ).body;
        const labels = version.files.find(
          f => f.path === 'train-labels-idx1-ubyte',
        )!;
        const object = path.join(root, ...labels.key.split('/'));
        const content = await fs.readFile(object);
        content[content.length - 1] ^= 0xff;
        await fs.writeFile(object, content);

        const submitted = await submitSmallRun(server);
        const job = await waitForEnd(server, submitted.id);
        expect(job.state).toBe('FAILED');
        expect(job.reason).toContain(
          `dataset does not match its version: dataset file train-labels-idx1-ubyte does not match its version ${version.version}`,
        );
      },
      JOB_TIMEOUT_MS,
    );
  },
);
