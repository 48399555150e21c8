import {
  coreServices,
  createServiceFactory,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  CustomModel,
  CustomModelVersion,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';
import { requireTestService } from '@internal/mlops-node';
import request from 'supertest';
import { experimentsPlugin } from '../plugin';
import { ownerPolicy } from '../__testUtils__/ownerPolicy';

// A real MLflow and a real Ray cluster started by the test command: the checks run there.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

jest.setTimeout(300_000);

const repoRuntimePath = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  '../../runtime',
);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const GOOD = `
from torch import nn

HYPERPARAMETER_SCHEMA = {
    "type": "object",
    "properties": {
        "hidden": {"type": "integer", "minimum": 8, "maximum": 256, "default": 16,
                   "title": "Hidden units", "description": "Width of the hidden layer."},
    },
}

def build_model(config):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, config["hidden"]), nn.ReLU(),
                         nn.Linear(config["hidden"], 10))
`;

async function start(team: string, dashboardUrl = rayUrl) {
  const knex = await databases.init('SQLITE_3');
  const claims = ['user:default/mock', team];
  // The experiments plugin alone: custom models need Ray and the database, not datasets.
  const backend = await startTestBackend({
    features: [
      experimentsPlugin,
      ownerPolicy(claims),
      mockServices.database.factory({ knex }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => mockServices.userInfo({ ownershipEntityRefs: claims }),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            mlflow: { trackingUrl: mlflowUrl },
            rayClusters: {
              clusters: [
                {
                  name: 'local',
                  owner: 'group:default/team-a',
                  driver: 'local',
                  dashboardUrl,
                  token: rayToken,
                },
              ],
            },
            experiments: {
              runtimePath: repoRuntimePath,
              worker: { enabled: false },
              customModels: { checkTimeoutSeconds: 120 },
            },
          },
        },
      }),
    ],
  });
  return { backend, server: backend.server, knex };
}

describe('custom models', () => {
  it('checks uploads in Ray: a good module becomes a version and a template; bad ones are 400 with the problem and store nothing', async () => {
    const { server, knex, backend } = await start('group:default/team-a');
    try {
      const bad: Array<[string, string, RegExp]> = [
        [
          'syntax',
          'from torch import nn\n\ndef build_model(config)\n    return nn.Linear(1, 1)\n',
          /line 3: .*(invalid syntax|expected ':')/,
        ],
        [
          'missing',
          'from torch import nn\n\ndef make_model(config):\n    return nn.Linear(784, 10)\n',
          /no build_model\(config\) function/,
        ],
        [
          'shape',
          'from torch import nn\n\ndef build_model(config):\n    return nn.Sequential(nn.Flatten(), nn.Linear(784, 3))\n',
          /must return \(2, 10\) logits, got shape \(2, 3\)/,
        ],
        [
          'import',
          'import not_a_real_package_xyz\n\ndef build_model(config):\n    pass\n',
          /no module named 'not_a_real_package_xyz'/,
        ],
      ];
      for (const [name, source, message] of bad) {
        const res = await request(server)
          .post('/api/experiments/custom-models')
          .send({ name: `bad-${name}`, source });
        expect({ name, status: res.status }).toEqual({ name, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
      expect(await knex('custom_models').pluck('name')).toEqual([]);
      expect(await knex('custom_model_versions').pluck('version')).toEqual([]);

      const created = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: GOOD, description: 'A small MLP' })
        .expect(201);
      const version = created.body as CustomModelVersion;
      expect(version).toMatchObject({
        name: 'tiny-mlp',
        version: 1,
        templateId: 'custom:tiny-mlp@1',
        parameterCount: 784 * 16 + 16 + 16 * 10 + 10,
      });

      // The same source again is the same version; a changed one is version 2.
      const again = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: GOOD })
        .expect(200);
      expect(again.body.version).toBe(1);
      await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: GOOD.replace('16,', '32,') })
        .expect(201)
        .expect(res => expect(res.body.version).toBe(2));

      const model = (
        await request(server)
          .get('/api/experiments/custom-models/tiny-mlp')
          .expect(200)
      ).body as CustomModel;
      expect(model.owner).toBe('group:default/team-a');
      expect(model.versions.map(v => v.version)).toEqual([2, 1]);
      const v1 = await request(server)
        .get('/api/experiments/custom-models/tiny-mlp/versions/1')
        .expect(200);
      expect(v1.body.source).toBe(GOOD);

      const templates = (
        await request(server).get('/api/experiments/templates').expect(200)
      ).body.items as ModelTemplate[];
      const custom = templates.find(t => t.id === 'custom:tiny-mlp@2');
      expect(custom).toBeDefined();
      expect(custom!.task).toBe('image-classification');
      expect(
        (custom!.hyperparameterSchema.properties as any).hidden.default,
      ).toBe(32);
      expect(templates.some(t => t.id === 'mnist-cnn')).toBe(true);
    } finally {
      await backend.stop();
    }
  });

  it("refuses bad requests before Ray and hides other teams' models", async () => {
    const { server, knex, backend } = await start('group:default/team-b');
    try {
      await knex('custom_models').insert({
        name: 'secret',
        owner: 'group:default/team-a',
        description: '',
        created_by: 'user:default/other',
        created_at: new Date(),
      });
      const invalid = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'Bad Name', source: '' })
        .expect(400);
      expect(invalid.body.error.message).toMatch(/name must be/);
      expect(invalid.body.error.message).toMatch(/source must be/);

      await request(server)
        .get('/api/experiments/custom-models/secret')
        .expect(404);
      const list = await request(server)
        .get('/api/experiments/custom-models')
        .expect(200);
      expect(list.body.items).toEqual([]);
      const taken = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'secret', source: GOOD })
        .expect(409);
      expect(taken.body.error.message).toMatch(/taken/);
      await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'mine', source: GOOD, owner: 'group:default/team-a' })
        .expect(403);
    } finally {
      await backend.stop();
    }
  });

  it('answers 503 naming the cluster when Ray cannot run the check, and stores nothing', async () => {
    // Nothing listens on port 1.
    const { server, knex, backend } = await start(
      'group:default/team-a',
      'http://127.0.0.1:1',
    );
    try {
      const res = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: GOOD })
        .expect(503);
      expect(res.body.error.message).toMatch(
        /^Ray cluster "local" cannot check the custom model now \(.+\); try again in a moment$/,
      );
      expect(await knex('custom_models').pluck('name')).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
