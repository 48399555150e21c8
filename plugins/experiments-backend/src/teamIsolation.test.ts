import { TestDatabases } from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import request from 'supertest';
import { ownerPolicy } from './__testUtils__/ownerPolicy';
import { startExperimentsBackend } from './__testUtils__/testBackend';

// A real MLflow server and a real Ray head started by the test command: team A's custom model is
// checked there, on team A's cluster.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';
const clusters = [
  {
    name: 'a-ray',
    owner: TEAM_A,
    driver: 'external',
    dashboardUrl: rayUrl,
    token: rayToken,
  },
  {
    name: 'b-ray',
    owner: TEAM_B,
    driver: 'external',
    dashboardUrl: rayUrl,
    token: rayToken,
  },
];

const MODEL_SOURCE = `
from torch import nn

def build_model(config):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
`;

/** What team A's resources are called: none of it may reach team B. */
const TEAM_A_NAMES = [
  'Team A secret run',
  'Team A private model',
  TEAM_A,
  'mnist-cnn-team-a',
];

async function startAs(
  knex: Awaited<ReturnType<typeof databases.init>>,
  team: string,
) {
  const claims = ['user:default/mock', team];
  return startExperimentsBackend({
    knex,
    trackingUrl: mlflowUrl,
    ownershipEntityRefs: claims,
    permissions: ownerPolicy(claims),
    // The datasets (MNIST and the tabular sample) are team A's in both backends.
    samplesOwner: TEAM_A,
    rayClusters: clusters,
    experiments: {
      worker: { enabled: false },
      customModels: { checkTimeoutSeconds: 120 },
    },
  });
}

describe("another team's view of the experiments API", () => {
  it('answers 404 without names on every route of a job, custom model or trial list it may not read, lists nothing of them, and leaves their names free', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await startAs(knex, TEAM_A);
    const b = await startAs(knex, TEAM_B);
    try {
      const job = await request(a.server)
        .post('/api/experiments/jobs')
        .send({
          name: 'Team A secret run',
          templateId: 'mnist-cnn',
          datasetId: 'mnist',
          hyperparameters: { epochs: 1 },
        })
        .expect(201);
      await request(a.server)
        .post('/api/experiments/custom-models')
        .send({
          name: 'a-model',
          description: 'Team A private model',
          source: MODEL_SOURCE,
        })
        .expect(201);
      const jobId: string = job.body.id;

      const hidden: Array<['get' | 'post', string, string]> = [
        ['get', `/jobs/${jobId}`, `No training job ${jobId}`],
        ['post', `/jobs/${jobId}/cancel`, `No training job ${jobId}`],
        ['get', `/jobs/${jobId}/logs`, `No training job ${jobId}`],
        ['get', `/jobs/${jobId}/metrics`, `No training job ${jobId}`],
        ['get', `/jobs/${jobId}/trials`, `No training job ${jobId}`],
        ['get', '/custom-models/a-model', 'No custom model "a-model"'],
        [
          'get',
          '/custom-models/a-model/versions/1',
          'No custom model "a-model"',
        ],
        [
          'get',
          `/custom-models/a-model/versions/1?owner=${TEAM_A}`,
          'No custom model "a-model"',
        ],
      ];
      for (const [method, path, message] of hidden) {
        const res = await request(b.server)[method](`/api/experiments${path}`);
        expect({
          path,
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({ path, status: 404, message });
      }
      // The same answers as for what does not exist at all.
      const missing = await request(b.server).get(
        '/api/experiments/custom-models/no-such-model',
      );
      expect(missing.status).toBe(404);

      const submissions: Array<[object, number, string]> = [
        [{ templateId: 'custom:a-model@1' }, 404, 'No custom model "a-model"'],
        [{ datasetId: 'mnist' }, 404, 'No dataset "mnist"'],
      ];
      for (const [change, status, message] of submissions) {
        const res = await request(b.server)
          .post('/api/experiments/jobs')
          .send({ templateId: 'mnist-cnn', datasetId: 'mnist', ...change });
        expect({
          change,
          status: res.status,
          message: res.body.error.message,
        }).toEqual({ change, status, message });
      }

      const lists = await Promise.all(
        ['/jobs', '/custom-models', '/templates', '/datasets'].map(path =>
          request(b.server).get(`/api/experiments${path}`).expect(200),
        ),
      );
      const [jobs, models, templates, datasets] = lists.map(
        res => res.body.items as Array<{ id?: string; name?: string }>,
      );
      expect(jobs).toEqual([]);
      expect(models).toEqual([]);
      expect(templates.map(t => t.id)).not.toContain('custom:a-model@1');
      expect(datasets).toEqual([]);
      for (const res of lists) {
        for (const name of TEAM_A_NAMES) {
          expect(JSON.stringify(res.body)).not.toContain(name);
        }
      }

      // Team B's own "a-model" is checked on its own cluster and is a model of its own.
      const own = await request(b.server)
        .post('/api/experiments/custom-models')
        .send({ name: 'a-model', source: MODEL_SOURCE })
        .expect(201);
      expect(own.body).toMatchObject({ owner: TEAM_B, version: 1 });
      for (const name of TEAM_A_NAMES) {
        expect(JSON.stringify(own.body)).not.toContain(name);
      }
      const theirs = await request(a.server)
        .get('/api/experiments/custom-models/a-model')
        .expect(200);
      expect(theirs.body).toMatchObject({
        owner: TEAM_A,
        description: 'Team A private model',
      });
      expect(theirs.body.versions).toHaveLength(1);
      expect((await a.store.getJob(jobId))!.state).toBe('QUEUED');
    } finally {
      await Promise.all([a.backend.stop(), b.backend.stop()]);
    }
  });

  it('answers 401 on every route to a caller who is not signed in', async () => {
    const knex = await databases.init('SQLITE_3');
    const { backend, server } = await startAs(knex, TEAM_A);
    try {
      const routes: Array<['get' | 'post', string]> = [
        ['get', '/status'],
        ['get', '/templates'],
        ['get', '/datasets'],
        ['get', '/jobs'],
        ['post', '/jobs'],
        ['get', '/jobs/x'],
        ['post', '/jobs/x/cancel'],
        ['get', '/jobs/x/logs'],
        ['get', '/jobs/x/metrics'],
        ['get', '/jobs/x/trials'],
        ['get', '/custom-models'],
        ['post', '/custom-models'],
        ['get', '/custom-models/x'],
        ['get', '/custom-models/x/versions/1'],
      ];
      for (const [method, path] of routes) {
        const res = await request(server)
          [method](`/api/experiments${path}`)
          .set('Authorization', 'Bearer mock-none-token')
          .send({});
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
      }
    } finally {
      await backend.stop();
    }
  });
});
