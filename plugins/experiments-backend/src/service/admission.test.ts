import { TestDatabases } from '@backstage/backend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { requireTestService } from '@internal/mlops-node';
import request from 'supertest';
import { ownerPolicy } from '../__testUtils__/ownerPolicy';
import { startExperimentsBackend } from '../__testUtils__/testBackend';

// A real MLflow server and a real Ray head (2 CPUs, no GPU) started by the test command.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const backends: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
});

const validRequest = {
  templateId: 'mnist-cnn',
  datasetId: 'mnist',
  hyperparameters: { epochs: 1 },
};

/** Team A's real Ray cluster ("a-ray", fixed size) and another team's cluster, the default. */
const clusters = [
  {
    name: 'local',
    owner: 'group:default/platform',
    driver: 'local',
    dashboardUrl: 'http://127.0.0.1:1',
  },
  {
    name: 'a-ray',
    owner: 'group:default/team-a',
    driver: 'external',
    dashboardUrl: rayUrl,
    token: rayToken,
  },
];

async function startBackend(
  options: {
    team?: string;
    rayClusters?: object[];
    limits?: object;
  } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const claims = ['user:default/mock', options.team ?? 'group:default/team-a'];
  const started = await startExperimentsBackend({
    knex,
    trackingUrl: mlflowUrl,
    ownershipEntityRefs: claims,
    permissions: ownerPolicy(claims),
    samplesOwner: options.team ?? 'group:default/team-a',
    rayClusters: (options.rayClusters ?? clusters) as any,
    experiments: {
      worker: { enabled: false },
      ...(options.limits && { limits: options.limits }),
    },
  });
  backends.push(started.backend);
  return { ...started, knex };
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('admission of training jobs', () => {
  it('runs a job on a cluster of its team: the default cluster only for the team owning it, else the team’s first; a team without one gets a 400 saying how to get one', async () => {
    const { server, knex } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    expect((res.body as TrainingJob).config.cluster).toBe('a-ray');

    const lonely = await startBackend({ team: 'group:default/team-c' });
    const refused = await request(lonely.server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(400);
    expect(refused.body.error.message).toBe(
      'your team group:default/team-c has no Ray cluster; create one on the Ray clusters page',
    );
    expect(await lonely.knex('training_jobs').pluck('id')).toEqual([]);
    expect(await knex('training_jobs').pluck('id')).toEqual([res.body.id]);
  });

  it('refuses bodies nested too deep or too large with a 400 naming the limit, before anything recursive runs', async () => {
    const { server, knex } = await startBackend();
    const levels = 40_000;
    const deep = `{"templateId":"mnist-cnn","datasetId":"mnist","hyperparameters":${'{"a":'.repeat(
      levels,
    )}1${'}'.repeat(levels)}}`;
    expect(deep.length).toBeLessThan(256 * 1024);
    const tooDeep = await request(server)
      .post('/api/experiments/jobs')
      .set('Content-Type', 'application/json')
      .send(deep);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.message).toBe(
      'The request body is nested more than 32 levels deep, the most this route accepts',
    );

    const tooLarge = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, name: 'x'.repeat(300 * 1024) });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.message).toBe(
      'The request body is larger than 256 KiB, the most this route accepts',
    );

    // 32 levels are fine: the hyperparameters are then judged by the template.
    const fine = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, hyperparameters: { epochs: nested(29) } });
    expect(fine.status).toBe(400);
    expect(fine.body.error.message).toContain(
      'hyperparameters.epochs must be integer',
    );
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
  });

  it('refuses what cannot fit the chosen cluster, saying what the cluster has and what fits, and resources below the minimum', async () => {
    const { server, knex } = await startBackend();
    const cases: Array<[object, string]> = [
      [
        { numWorkers: 64, cpusPerWorker: 256 },
        'resources: 64 worker(s) × 256 CPUs need 16384 CPUs; Ray cluster "a-ray" has 2 CPUs, 0 GPUs and ',
      ],
      [
        { numWorkers: 3, cpusPerWorker: 1 },
        ' GiB of memory: at most 2 worker(s) of 1 CPUs fit',
      ],
      [
        { numWorkers: 1, cpusPerWorker: 4 },
        ': a worker may ask for at most 2 CPUs',
      ],
      [
        { cpusPerWorker: 1e-9 },
        'resources.cpusPerWorker: 1e-9 is below the minimum of 0.1 CPUs per worker',
      ],
      [
        { cpusPerWorker: 0.12345 },
        'resources.cpusPerWorker: 0.12345 has more than 4 decimal places; Ray counts CPUs in steps of 0.0001',
      ],
    ];
    for (const [resources, message] of cases) {
      const res = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...validRequest, resources });
      expect({ resources, status: res.status }).toEqual({
        resources,
        status: 400,
      });
      expect(res.body.error.message).toContain(message);
    }
    expect(await knex('training_jobs').pluck('id')).toEqual([]);

    // Two workers of one CPU fit the two CPUs.
    await request(server)
      .post('/api/experiments/jobs')
      .send({ ...validRequest, resources: { numWorkers: 2, cpusPerWorker: 1 } })
      .expect(201);
  });

  it('takes at most maxActiveJobsPerTeam (default 10) queued or running jobs of a team at once, answering 429 naming the limit', async () => {
    const { server, knex } = await startBackend();
    const answers = await Promise.all(
      Array.from({ length: 14 }, () =>
        request(server).post('/api/experiments/jobs').send(validRequest),
      ),
    );
    const statuses = answers.map(a => a.status).sort();
    expect(statuses).toEqual([...Array(10).fill(201), ...Array(4).fill(429)]);
    const refused = answers.find(a => a.status === 429)!;
    expect(refused.body.error.message).toBe(
      'group:default/team-a has 10 queued or running jobs, the most a team may have (mlops.experiments.limits.maxActiveJobsPerTeam = 10); wait for one to end or cancel one',
    );
    expect(await knex('training_jobs').pluck('id')).toHaveLength(10);

    // An ended job frees its place.
    const first = answers.find(a => a.status === 201)!.body as TrainingJob;
    await request(server)
      .post(`/api/experiments/jobs/${first.id}/cancel`)
      .expect(200);
    await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(429);
  });

  it('reads the team limit from config', async () => {
    const { server } = await startBackend({
      limits: { maxActiveJobsPerTeam: 1 },
    });
    await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(201);
    const refused = await request(server)
      .post('/api/experiments/jobs')
      .send(validRequest)
      .expect(429);
    expect(refused.body.error.message).toContain('maxActiveJobsPerTeam = 1');
  });
});
