import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Dataset,
  DatasetVersion,
} from '@internal/backstage-plugin-datasets-common';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { PluginStatus } from '@internal/backstage-plugin-mlops-common';
import { closedPortUrl, requireTestService } from '@internal/mlops-node';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { experimentsPlugin } from './plugin';
import { ownerPolicy } from './__testUtils__/ownerPolicy';
import { startExperimentsBackend, waitFor } from './__testUtils__/testBackend';
import { testJob, testJobConfig } from './__testUtils__/testJob';

// A real MLflow server started by the test command.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');

// Each backend also starts the datasets plugin, which hashes the MNIST sample on startup.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

type Options = Omit<
  Parameters<typeof startExperimentsBackend>[0],
  'knex' | 'trackingUrl'
> & { trackingUrl?: string };

const backends: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
});

async function startBackend(options: Options = {}) {
  const knex = await databases.init('SQLITE_3');
  const started = await startExperimentsBackend({
    knex,
    trackingUrl: mlflowUrl,
    // No worker: these tests look at the API and the queue, not at Ray.
    experiments: { worker: { enabled: false } },
    ...options,
  });
  backends.push(started.backend);
  return { ...started, knex };
}

/** The datasets of the datasets plugin running in the same backend, by name. */
async function datasetsByName(server: any): Promise<Record<string, Dataset>> {
  const res = await request(server).get('/api/datasets/datasets').expect(200);
  return Object.fromEntries(
    (res.body.items as Dataset[]).map(d => [d.name, d]),
  );
}

async function versionOf(
  server: any,
  dataset: Dataset,
  version = dataset.latestVersion!,
): Promise<DatasetVersion> {
  return (
    await request(server)
      .get(`/api/datasets/datasets/${dataset.id}/versions/${version}`)
      .expect(200)
  ).body;
}

/** The manifest hash the runtime checks: over [name, size, sha256] of the files, by name. */
function manifestHashOf(version: DatasetVersion) {
  const entries = version.files
    .map(f => [f.path, f.size, f.sha256])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

const validRequest = {
  templateId: 'mnist-cnn',
  datasetId: 'mnist',
  hyperparameters: { epochs: 1, learning_rate: 0.01 },
};

describe('experiments backend', () => {
  it('reports the version of the real MLflow server and the database', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .get('/api/experiments/status')
      .expect(200);
    const status = res.body as PluginStatus;

    expect(status.pluginId).toBe('experiments');
    expect(status.dependencies).toEqual([
      {
        name: 'MLflow tracking server',
        ok: true,
        version: expect.stringMatching(/^3\.\d+\.\d+/),
        message: expect.stringContaining(`at ${mlflowUrl} is healthy`),
      },
      {
        name: 'Experiments database',
        ok: true,
        message: 'The database answers',
      },
    ]);
  });

  it('says why MLflow is down when nothing answers at the tracking URL', async () => {
    const unreachableUrl = await closedPortUrl();
    const { server } = await startBackend({ trackingUrl: unreachableUrl });
    const res = await request(server)
      .get('/api/experiments/status')
      .expect(200);
    const [mlflow, database] = (res.body as PluginStatus).dependencies;

    expect(mlflow).toEqual({
      name: 'MLflow tracking server',
      ok: false,
      message: `${unreachableUrl}/health refused the connection: is the server running?`,
    });
    expect(database.ok).toBe(true);
  });

  it('does not start without a tracking URL', async () => {
    await expect(
      startTestBackend({
        features: [experimentsPlugin, mockServices.rootConfig.factory()],
      }),
    ).rejects.toThrow(/mlops\.mlflow\.trackingUrl is not set/);
  });

  it('lists the model templates of the runtime folder and the datasets of the datasets plugin with their latest version', async () => {
    const { server } = await startBackend();
    const templates = await request(server)
      .get('/api/experiments/templates')
      .expect(200);
    const manifest = JSON.parse(
      readFileSync(
        path.resolve(
          __dirname,
          '../../../runtime/src/mlops_runtime/templates/mnist-cnn.json',
        ),
        'utf8',
      ),
    );
    expect(templates.body.items).toContainEqual(manifest);

    const { mnist, 'iris-synthetic': iris } = await datasetsByName(server);
    expect(mnist.latestVersion).toMatch(/^[0-9a-f]{64}$/);
    const datasets = await request(server)
      .get('/api/experiments/datasets')
      .expect(200);
    expect(datasets.body.items).toEqual([
      {
        id: iris.id,
        name: 'iris-synthetic',
        title: 'iris-synthetic',
        owner: 'group:default/team-a',
        description: iris.description,
        format: 'csv',
        version: iris.latestVersion,
      },
      {
        id: mnist.id,
        name: 'mnist',
        title: 'mnist',
        owner: 'group:default/team-a',
        description: expect.stringContaining('MNIST'),
        format: 'idx',
        version: mnist.latestVersion,
      },
    ]);
  });

  it('stores a valid job as QUEUED with its fully resolved config, and publishes it to the queue', async () => {
    const { server, knex } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    const job = res.body as TrainingJob;
    const { mnist } = await datasetsByName(server);
    const version = await versionOf(server, mnist);

    expect(job).toMatchObject({
      name: 'mnist-cnn on mnist',
      owner: 'group:default/team-a',
      state: 'QUEUED',
      attempts: 0,
      links: {},
      config: {
        template: { id: 'mnist-cnn', version: '1.0.0' },
        dataset: {
          id: mnist.id,
          name: 'mnist',
          format: 'idx',
          version: mnist.latestVersion,
          manifestSha256: manifestHashOf(version),
          fileCount: 4,
          totalBytes: version.files.reduce((sum, f) => sum + f.size, 0),
        },
        hyperparameters: {
          epochs: 1,
          learning_rate: 0.01,
          batch_size: 64,
          dropout: 0.25,
          conv1_channels: 32,
          conv2_channels: 64,
          hidden_units: 128,
          train_samples: 60000,
        },
        resources: { numWorkers: 1, cpusPerWorker: 2, useGpu: false },
        cluster: 'local',
        runtimeVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        modelName: 'mnist-cnn-team-a',
      },
    });
    expect(Number.isInteger(job.config.seed)).toBe(true);
    await request(server)
      .get(`/api/experiments/jobs/${job.id}`)
      .expect(200, job);

    // The relay moves the outbox row onto the queue (the database driver's table).
    await waitFor('the job on the queue', async () => {
      const outbox = await knex('training_job_outbox').pluck('job_id');
      const queued = await knex('job_queue').pluck('job_id');
      return outbox.length === 0 && queued.length === 1 && queued[0] === job.id;
    });
  });

  it('takes the seed, resources, owner and name that the caller gives', async () => {
    const { server } = await startBackend({
      ownershipEntityRefs: [
        'user:default/mock',
        'group:default/team-a',
        'group:default/team-b',
      ],
      rayClusters: [
        {
          name: 'local',
          owner: 'group:default/team-a',
          dashboardUrl: 'http://127.0.0.1:1',
        },
        {
          name: 'team-b-ray',
          owner: 'group:default/team-b',
          dashboardUrl: 'http://127.0.0.1:1',
        },
      ],
    });
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...validRequest,
        name: 'quick try',
        seed: 42,
        resources: { numWorkers: 2 },
        owner: 'group:default/team-b',
        cluster: 'team-b-ray',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'quick try',
      owner: 'group:default/team-b',
      config: {
        seed: 42,
        resources: { numWorkers: 2, cpusPerWorker: 2, useGpu: false },
        modelName: 'mnist-cnn-team-b',
      },
    });

    const other = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, owner: 'group:default/team-c' })
      .expect(403);
    expect(other.body.error.message).toContain('you are not a member of it');
  });

  it('rejects invalid hyperparameters naming each field, and stores and queues nothing', async () => {
    const { server, knex } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...validRequest,
        hyperparameters: {
          epochs: 'two',
          batch_size: 4,
          learning_rate: 0,
          dropout: 0.95,
          momentum: 0.9,
        },
      })
      .expect(400);
    const message: string = res.body.error.message;
    expect(res.body.error.name).toBe('InputError');
    expect(message).toContain('hyperparameters.epochs must be integer');
    expect(message).toContain('hyperparameters.batch_size must be >= 8');
    expect(message).toContain('hyperparameters.learning_rate must be > 0');
    expect(message).toContain('hyperparameters.dropout must be <= 0.9');
    expect(message).toContain(
      'hyperparameters.momentum is not a hyperparameter of mnist-cnn',
    );

    const body = await request(server)
      .post('/api/experiments/jobs')
      .send({
        datasetId: 'mnist',
        seed: -1,
        resources: { numWorkers: 0, gpus: 1 },
        priority: 'high',
      })
      .expect(400);
    for (const problem of [
      'templateId is required',
      'seed must be >= 0',
      'resources.numWorkers must be >= 1',
      'resources.gpus is not allowed',
      'priority is not allowed',
    ]) {
      expect(body.body.error.message).toContain(problem);
    }

    await waitFor('the queue table', () => knex.schema.hasTable('job_queue'));
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
    expect(await knex('training_job_outbox').pluck('id')).toEqual([]);
    expect(await knex('job_queue').pluck('id')).toEqual([]);
  });

  it('pins the dataset version the caller names, by dataset id or name', async () => {
    const { server } = await startBackend();
    const { mnist } = await datasetsByName(server);
    for (const datasetId of [mnist.id, 'mnist']) {
      const res = await request(server)
        .post('/api/experiments/jobs')
        .send({
          ...validRequest,
          datasetId,
          datasetVersion: mnist.latestVersion,
        })
        .expect(201);
      expect(res.body.config.dataset).toMatchObject({
        id: mnist.id,
        version: mnist.latestVersion,
      });
    }
  });

  it("trains only on datasets the caller may read: the user's permissions on datasets apply", async () => {
    const teamB = ['user:default/mock', 'group:default/team-b'];
    const { server, knex } = await startBackend({
      permissions: ownerPolicy(teamB),
      ownershipEntityRefs: teamB,
      rayClusters: [
        {
          name: 'local',
          owner: 'group:default/team-b',
          dashboardUrl: 'http://127.0.0.1:1',
        },
      ],
    });
    await request(server)
      .get('/api/experiments/datasets')
      .expect(200, { items: [] });
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(404);
    expect(res.body.error.message).toBe('No dataset "mnist"');
    expect(await knex('training_jobs').pluck('id')).toEqual([]);

    const own = await startBackend({
      permissions: ownerPolicy(teamB),
      ownershipEntityRefs: teamB,
      samplesOwner: 'group:default/team-b',
      rayClusters: [
        {
          name: 'local',
          owner: 'group:default/team-b',
          dashboardUrl: 'http://127.0.0.1:1',
        },
      ],
    });
    await request(own.server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
  });

  it('refuses a dataset in a format the template does not read (400), storing nothing', async () => {
    const { server, knex } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, datasetId: 'iris-synthetic' })
      .expect(400);
    expect(res.body.error.message).toContain(
      'datasetId: iris-synthetic is in format csv; mnist-cnn accepts idx',
    );
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
  });

  it('answers 404 for an unknown template, dataset, dataset version or cluster, and stores nothing', async () => {
    const { server, knex } = await startBackend();
    for (const [change, message] of [
      [{ templateId: 'resnet-9000' }, 'No model template "resnet-9000"'],
      [{ datasetId: 'imagenet' }, 'No dataset "imagenet"'],
      [
        { datasetVersion: 'f'.repeat(64) },
        `Dataset "mnist" has no version "${'f'.repeat(64)}"`,
      ],
      [
        { cluster: 'moon' },
        'group:default/team-a has no Ray cluster named "moon"',
      ],
    ] as const) {
      const res = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...validRequest, ...change })
        .expect(404);
      expect(res.body.error.message).toBe(message);
    }
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
    expect(await knex('training_job_outbox').pluck('id')).toEqual([]);
  });

  it('answers 404 for a custom model that does not exist and 400 for a malformed custom template id, storing nothing', async () => {
    const { server, knex } = await startBackend();
    const missing = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, templateId: 'custom:my-cnn@1' })
      .expect(404);
    expect(missing.body.error.message).toBe('No custom model "my-cnn"');
    const malformed = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, templateId: 'custom:My CNN' })
      .expect(400);
    expect(malformed.body.error.message).toBe(
      'templateId: "custom:My CNN" is not a custom model version: write custom:<name>@<version>, e.g. custom:my-cnn@1',
    );
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
  });

  it("refuses a job on another team's cluster as on an unknown one (404, no owner named) and a GPU job on a cluster without GPU (400), storing nothing", async () => {
    const { server, knex } = await startBackend({
      ownershipEntityRefs: ['user:default/mock', 'group:default/team-a'],
      rayClusters: [
        {
          name: 'cpu-only',
          owner: 'group:default/team-a',
          // A real Ray head without GPUs.
          dashboardUrl: requireTestService('MLOPS_TEST_RAY_URL'),
          token: requireTestService('MLOPS_TEST_RAY_TOKEN'),
        },
        {
          name: 'team-b-ray',
          owner: 'group:default/team-b',
          dashboardUrl: 'http://127.0.0.1:1',
        },
      ],
    });
    const foreign = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, cluster: 'team-b-ray' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(
      'group:default/team-a has no Ray cluster named "team-b-ray"',
    );
    expect(JSON.stringify(foreign.body)).not.toContain('group:default/team-b');

    const gpu = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...validRequest,
        cluster: 'cpu-only',
        resources: { useGpu: true },
      });
    expect(gpu.status).toBe(400);
    expect(gpu.body.error.message).toBe(
      'cluster cpu-only has no GPU and cannot scale to one; set resources.useGpu to false or choose a cluster with GPUs',
    );

    await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, cluster: 'cpu-only' })
      .expect(201);
    expect(await knex('training_jobs').pluck('config')).toHaveLength(1);
  });

  it('lists stored jobs, newest first, up to the limit', async () => {
    const { server, store } = await startBackend();
    await request(server)
      .get('/api/experiments/jobs')
      .expect(200, { items: [] });

    const older = testJob(
      'mnist-cnn',
      'group:default/team-a',
      '2026-01-01T10:00:00.000Z',
    );
    const newer = testJob(
      'mnist-tune',
      'group:default/team-b',
      '2026-01-02T10:00:00.000Z',
      {
        state: 'FAILED',
        reason: 'Ray cluster unreachable',
        project: 'system:default/mnist',
        attempts: 5,
      },
    );
    await store.insertJob(older);
    await store.insertJob(newer);

    const all = await request(server).get('/api/experiments/jobs').expect(200);
    expect(all.body.items).toEqual([
      { ...newer, links: {} },
      { ...older, links: {} },
    ]);
    const one = await request(server)
      .get('/api/experiments/jobs?limit=1')
      .expect(200);
    expect(one.body.items).toEqual([{ ...newer, links: {} }]);
  });

  it('lists the jobs that trained on a dataset, or on one version of it (lineage)', async () => {
    const { server, store } = await startBackend();
    const onDataset = (name: string, id: string, version: string, at: string) =>
      testJob(name, 'group:default/team-a', at, {
        config: {
          ...testJobConfig,
          dataset: { id, version, format: 'idx' },
        },
      });
    const jobs = [
      onDataset('d1-v1', 'd1', 'v1', '2026-01-01T10:00:00.000Z'),
      onDataset('d1-v2', 'd1', 'v2', '2026-01-02T10:00:00.000Z'),
      onDataset('d2-v1', 'd2', 'v1', '2026-01-03T10:00:00.000Z'),
      onDataset('d1-v1-again', 'd1', 'v1', '2026-01-04T10:00:00.000Z'),
    ];
    for (const job of jobs) await store.insertJob(job);
    const names = async (query: string) =>
      (
        await request(server).get(`/api/experiments/jobs?${query}`).expect(200)
      ).body.items.map((j: TrainingJob) => j.name);

    expect(await names('datasetId=d1')).toEqual([
      'd1-v1-again',
      'd1-v2',
      'd1-v1',
    ]);
    expect(await names('datasetId=d1&datasetVersion=v1')).toEqual([
      'd1-v1-again',
      'd1-v1',
    ]);
    expect(await names('datasetId=d1&datasetVersion=v1&limit=1')).toEqual([
      'd1-v1-again',
    ]);
    expect(await names('datasetId=d3')).toEqual([]);

    // A submitted job is found under the version it pinned.
    const submitted = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    const { id, version } = submitted.body.config.dataset;
    expect(await names(`datasetId=${id}&datasetVersion=${version}`)).toEqual([
      'mnist-cnn on mnist',
    ]);

    for (const [query, message] of [
      ['datasetVersion=v1', 'datasetVersion filters jobs only with datasetId'],
      ['datasetId=d1&datasetId=d2', 'datasetId must be given once'],
      ['datasetId=', 'datasetId must be given once'],
    ]) {
      const res = await request(server)
        .get(`/api/experiments/jobs?${query}`)
        .expect(400);
      expect(res.body.error.message).toContain(message);
    }
  });

  it("shows, cancels and serves logs and metrics of a team's own jobs only", async () => {
    const { server, store } = await startBackend({
      permissions: ownerPolicy(['user:default/mock', 'group:default/team-b']),
    });
    const theirs = testJob('a', 'group:default/team-a', '2026-01-01T10:00:00Z');
    const ours = testJob('b', 'group:default/team-b', '2026-01-02T10:00:00Z');
    await store.insertJob(theirs);
    await store.insertJob(ours);

    const list = await request(server).get('/api/experiments/jobs').expect(200);
    expect(list.body.items.map((j: TrainingJob) => j.name)).toEqual(['b']);
    for (const suffix of ['', '/logs', '/metrics']) {
      await request(server)
        .get(`/api/experiments/jobs/${theirs.id}${suffix}`)
        .expect(404);
      await request(server)
        .get(`/api/experiments/jobs/${ours.id}${suffix}`)
        .expect(200);
    }
    await request(server)
      .post(`/api/experiments/jobs/${theirs.id}/cancel`)
      .expect(404);
    expect((await store.getJob(theirs.id))!.state).toBe('QUEUED');
    await request(server)
      .post(`/api/experiments/jobs/${ours.id}/cancel`)
      .expect(200);
    expect((await store.getJob(ours.id))!.state).toBe('CANCELLED');
  });

  it('cancels a queued job at once, asks Ray to stop a running one, and refuses to cancel an ended one', async () => {
    const { server, store } = await startBackend();
    const queued = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    const cancelled = await request(server)
      .post(`/api/experiments/jobs/${queued.body.id}/cancel`)
      .expect(200);
    expect(cancelled.body).toMatchObject({
      state: 'CANCELLED',
      reason: 'cancelled by user:default/mock',
      finishedAt: expect.any(String),
    });
    const again = await request(server)
      .post(`/api/experiments/jobs/${queued.body.id}/cancel`)
      .expect(409);
    expect(again.body.error.message).toContain('has already ended (CANCELLED)');

    // Ray is unreachable here: the job stays CANCELLING until the reconciler gets through.
    const running = testJob('r', 'user:default/mock', '2026-01-01T10:00:00Z', {
      state: 'RUNNING',
    });
    await store.insertJob(running);
    const cancelling = await request(server)
      .post(`/api/experiments/jobs/${running.id}/cancel`)
      .expect(200);
    expect(cancelling.body.state).toBe('CANCELLING');
  });

  it('answers an empty log and no metrics before the job reaches Ray, and checks the offset', async () => {
    const { server, store } = await startBackend();
    const job = testJob('q', 'user:default/mock', '2026-01-01T10:00:00Z');
    await store.insertJob(job);
    await request(server)
      .get(`/api/experiments/jobs/${job.id}/logs?offset=12`)
      .expect(200, { text: '', nextOffset: 12 });
    await request(server)
      .get(`/api/experiments/jobs/${job.id}/metrics`)
      .expect(200, { items: [] });
    for (const offset of ['-1', 'x', '1.5', '']) {
      const res = await request(server).get(
        `/api/experiments/jobs/${job.id}/logs?offset=${offset}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'offset must be a non-negative integer',
      );
    }
    await request(server).get('/api/experiments/jobs/nope').expect(404);
  });

  it('retries a job while its Ray cluster is unreachable, then fails it saying so', async () => {
    const { server } = await startBackend({
      rayClusters: [
        {
          name: 'local',
          owner: 'group:default/team-a',
          driver: 'local',
          dashboardUrl: await closedPortUrl(),
        },
      ],
      experiments: {
        worker: { enabled: true },
        queue: { maxAttempts: 2, initialBackoffMs: 100 },
      },
    });
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    const job = await waitFor('the job to fail', async () => {
      const current = await request(server).get(
        `/api/experiments/jobs/${res.body.id}`,
      );
      return current.body.state === 'FAILED' && (current.body as TrainingJob);
    });
    expect(job.reason).toMatch(
      /^Ray cluster unreachable: Ray at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/,
    );
    expect(job.attempts).toBe(2);
    expect(job.finishedAt).toBeDefined();
  });

  it('rejects a limit that is not an integer from 1 to 100', async () => {
    const { server } = await startBackend();
    for (const limit of ['0', '101', '2.5', 'ten', '']) {
      const res = await request(server).get(
        `/api/experiments/jobs?limit=${limit}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'limit must be an integer from 1 to 100',
      );
    }
  });

  it('refuses callers that are not signed-in users', async () => {
    const { server } = await startBackend();
    const anonymous = await request(server)
      .get('/api/experiments/jobs')
      .set('Authorization', 'Bearer mock-none-token');
    const service = await request(server)
      .get('/api/experiments/status')
      .set('Authorization', 'Bearer mock-service-token');
    const submit = await request(server)
      .post('/api/experiments/jobs')
      .set('Authorization', 'Bearer mock-service-token')
      .send(validRequest);

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
    expect(submit.status).toBe(403);
  });

  it('denies status and submission and hides all jobs when the policy denies', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server, store, knex } = await startBackend({
      permissions: permissions.factory,
    });
    const job = testJob('a', 'user:default/mock', '2026-01-01T10:00:00Z');
    await store.insertJob(job);

    const status = await request(server).get('/api/experiments/status');
    expect(status.status).toBe(403);
    expect(status.body.error.message).toContain('experiments.status.read');
    const submit = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest);
    expect(submit.status).toBe(403);
    expect(submit.body.error.message).toContain('experiments.job.create');
    await request(server)
      .get('/api/experiments/jobs')
      .expect(200, { items: [] });
    await request(server).get(`/api/experiments/jobs/${job.id}`).expect(404);
    expect(await knex('training_jobs').pluck('id')).toEqual([job.id]);
  });
});
