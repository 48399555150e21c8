import { TestDatabases } from '@backstage/backend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import {
  mlflowAuthHeaders,
  requireTestMlflowCredentials,
  requireTestService,
} from '@internal/mlops-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ownerPolicy } from '../__testUtils__/ownerPolicy';
import { rayStoragePath } from '../__testUtils__/e2eRuntime';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';

// A real Ray head and MLflow server started by the test command: the upload is checked there and
// the job trains there with the repository's runtime.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

const JOB_TIMEOUT_MS = 6 * 60_000;
jest.setTimeout(JOB_TIMEOUT_MS + 120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const SOURCE = `
from torch import nn

HYPERPARAMETER_SCHEMA = {
    "type": "object",
    "properties": {
        "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 16},
    },
}

class TinyMlp(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 10))

    def forward(self, x):
        return self.layers(x)

def build_model(config):
    return TinyMlp(config["hidden"])
`;

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-custom-training-'));
});
afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

async function startBackend(
  knex: Awaited<ReturnType<typeof databases.init>>,
  team: string,
  worker = true,
) {
  const claims = ['user:default/mock', team];
  return startExperimentsBackend({
    knex,
    trackingUrl: mlflowUrl,
    ownershipEntityRefs: claims,
    permissions: ownerPolicy(claims),
    rayClusters: [
      {
        name: 'local',
        owner: 'group:default/team-a',
        driver: 'local',
        dashboardUrl: rayUrl,
        token: rayToken,
      },
    ],
    experiments: {
      storagePath: await rayStoragePath(tmp),
      reconcileIntervalMs: 500,
      worker: { enabled: worker },
    },
  });
}

describe('training a custom model', () => {
  it('trains an uploaded version with its own hyperparameters and registers it; other teams and unknown versions are refused before anything is queued; Auto-tune needs a search space', async () => {
    const knex = await databases.init('SQLITE_3');
    const { backend, server } = await startBackend(
      knex,
      'group:default/team-a',
    );
    try {
      await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: SOURCE })
        .expect(201);
      const run = {
        templateId: 'custom:tiny-mlp@1',
        datasetId: 'mnist',
        hyperparameters: { epochs: 1, train_samples: 1000, hidden: 24 },
        resources: { cpusPerWorker: 1 },
        seed: 3,
      };

      const unknown = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...run, templateId: 'custom:tiny-mlp@9' })
        .expect(404);
      expect(unknown.body.error.message).toBe(
        'Custom model "tiny-mlp" has no version 9',
      );
      const tooWide = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...run, hyperparameters: { hidden: 4096 } })
        .expect(400);
      expect(tooWide.body.error.message).toContain('hyperparameters.hidden');
      // No default search space: an auto-tune of a custom model names its own.
      const nothingToSearch = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...run, autoTune: {} })
        .expect(400);
      expect(nothingToSearch.body.error.message).toContain(
        'autoTune.searchSpace',
      );
      expect(await knex('training_jobs').pluck('id')).toEqual([]);

      const submitted: TrainingJob = (
        await request(server)
          .post('/api/experiments/jobs')
          .send(run)
          .expect(201)
      ).body;
      expect(submitted.config.customModel).toEqual({
        name: 'tiny-mlp',
        owner: 'group:default/team-a',
        version: 1,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(submitted.config.hyperparameters).toMatchObject({
        hidden: 24,
        epochs: 1,
      });
      // The job refers to the version; its source is only read by the worker.
      expect(JSON.stringify(submitted)).not.toContain('build_model');

      const job = await waitFor(
        `job ${submitted.id} to end`,
        async () => {
          const current: TrainingJob = (
            await request(server)
              .get(`/api/experiments/jobs/${submitted.id}`)
              .expect(200)
          ).body;
          return (
            ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(current.state) &&
            current
          );
        },
        JOB_TIMEOUT_MS,
      );
      expect(job.reason).toBeUndefined();
      expect(job.state).toBe('SUCCEEDED');
      expect(job.registeredModel?.name).toBe('tiny-mlp-team-a');

      const params = (
        await (
          await fetch(
            `${mlflowUrl}/api/2.0/mlflow/runs/get?run_id=${job.mlflowRunId}`,
            { headers: mlflowAuthHeaders(requireTestMlflowCredentials()) },
          )
        ).json()
      ).run.data.params as Array<{ key: string; value: string }>;
      expect(params).toContainEqual({ key: 'hidden', value: '24' });

      // An auto-tune over the module's own hyperparameter is accepted (then cancelled: the
      // runtime's tests tune a custom model).
      const tune: TrainingJob = (
        await request(server)
          .post('/api/experiments/jobs')
          .send({
            ...run,
            autoTune: {
              searchSpace: { hidden: { type: 'choice', values: [8, 32] } },
              algorithm: 'grid',
            },
          })
          .expect(201)
      ).body;
      expect(tune.config.customModel?.name).toBe('tiny-mlp');
      expect(tune.config.autoTune?.searchSpace).toEqual({
        hidden: { type: 'choice', values: [8, 32] },
      });
      await request(server)
        .post(`/api/experiments/jobs/${tune.id}/cancel`)
        .expect(200);

      // Another team does not see the model, so cannot train it.
      const other = await startBackend(knex, 'group:default/team-b', false);
      try {
        const hidden = await request(other.server)
          .post('/api/experiments/jobs')
          .send(run)
          .expect(404);
        expect(hidden.body.error.message).toBe('No custom model "tiny-mlp"');
      } finally {
        await other.backend.stop();
      }
    } finally {
      await backend.stop();
    }
  });
});
