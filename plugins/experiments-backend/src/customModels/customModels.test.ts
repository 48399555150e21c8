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
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** Team A's cluster "local" (the default) at `dashboardUrl`, unless `clusters` says otherwise. */
async function start(
  team: string,
  dashboardUrl = rayUrl,
  clusters: object[] = [
    {
      name: 'local',
      owner: 'group:default/team-a',
      driver: 'local',
      dashboardUrl,
      token: rayToken,
    },
  ],
) {
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
            rayClusters: { clusters: clusters as any },
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

  it("refuses bad requests before Ray; another team's model is hidden and its name free for this team", async () => {
    const { server, knex, backend } = await start(
      'group:default/team-b',
      rayUrl,
      [
        {
          name: 'local',
          owner: 'group:default/team-a',
          driver: 'local',
          dashboardUrl: 'http://127.0.0.1:1',
        },
        {
          name: 'b-ray',
          owner: 'group:default/team-b',
          driver: 'external',
          dashboardUrl: rayUrl,
          token: rayToken,
        },
      ],
    );
    try {
      await knex('custom_models').insert({
        name: 'secret',
        owner: 'group:default/team-a',
        description: 'Team A only',
        created_by: 'user:default/other',
        created_at: new Date(),
      });
      const invalid = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'Bad Name', source: '' })
        .expect(400);
      expect(invalid.body.error.message).toMatch(/name must be/);
      expect(invalid.body.error.message).toMatch(/source must be/);

      for (const route of ['secret', 'secret/versions/1']) {
        const hidden = await request(server)
          .get(`/api/experiments/custom-models/${route}`)
          .expect(404);
        expect(hidden.body.error.message).toBe('No custom model "secret"');
      }
      const list = await request(server)
        .get('/api/experiments/custom-models')
        .expect(200);
      expect(list.body.items).toEqual([]);

      // The name is team A's, not the portal's: team B's own "secret" is checked on B's cluster.
      const own = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'secret', source: GOOD })
        .expect(201);
      expect(own.body).toMatchObject({
        name: 'secret',
        owner: 'group:default/team-b',
        version: 1,
      });
      expect(JSON.stringify(own.body)).not.toContain('team-a');
      expect(
        await knex('custom_models').orderBy('owner').select('owner', 'name'),
      ).toEqual([
        { owner: 'group:default/team-a', name: 'secret' },
        { owner: 'group:default/team-b', name: 'secret' },
      ]);
      const mine = await request(server)
        .get('/api/experiments/custom-models/secret')
        .expect(200);
      expect(mine.body.owner).toBe('group:default/team-b');

      await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'mine', source: GOOD, owner: 'group:default/team-a' })
        .expect(403);
      // A cluster of another team answers as an unknown one.
      const foreign = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'mine', source: GOOD, cluster: 'local' })
        .expect(404);
      expect(foreign.body.error.message).toBe(
        'group:default/team-b has no Ray cluster named "local"',
      );
    } finally {
      await backend.stop();
    }
  });

  it('checks a team’s upload only on a cluster of that team: never on the default cluster of another team, and not at all for a team without one', async () => {
    const { server, knex, backend } = await start(
      'group:default/team-c',
      rayUrl,
      [
        {
          name: 'local',
          owner: 'group:default/team-a',
          driver: 'local',
          dashboardUrl: rayUrl,
          token: rayToken,
        },
      ],
    );
    try {
      const res = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'tiny-mlp', source: GOOD })
        .expect(400);
      expect(res.body.error.message).toBe(
        'your team group:default/team-c has no Ray cluster; create one on the Ray clusters page',
      );
      expect(await knex('custom_models').pluck('name')).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('answers a module that reads a file of the node and raises with it without the file, and bounds what a check sends back', async () => {
    // A file the Ray node can read (the test's user runs it here), with a marker in it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-node-secret-'));
    await fs.chmod(dir, 0o755);
    const secret = path.join(dir, 'secret.txt');
    const marker = 'NODE-SECRET-4b1d7e9a';
    await fs.writeFile(secret, `${marker}\n`, { mode: 0o644 });
    const { server, knex, backend } = await start('group:default/team-a');
    try {
      const reading = [
        'def build_model(config):',
        `    with open(${JSON.stringify(secret)}) as f:`,
        '        raise ValueError(f.read())',
        '',
      ].join('\n');
      const read = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'reader', source: reading })
        .expect(400);
      expect(JSON.stringify(read.body)).not.toContain(marker);
      expect(read.body.error.message).toBe(
        'Custom model "reader" does not implement the interface: build_model(config) raised ValueError at line 3 (its message is not shown: only text of the module is)',
      );

      const long = 'the hidden layer must be wider '.repeat(100);
      const chatty = `def build_model(config):\n    raise ValueError(${JSON.stringify(
        long,
      )})\n`;
      const cut = await request(server)
        .post('/api/experiments/custom-models')
        .send({ name: 'chatty', source: chatty })
        .expect(400);
      const message: string = cut.body.error.message;
      expect(message).toContain(
        'build_model(config) raised ValueError at line 2: the hidden layer must be wider',
      );
      expect(message.length).toBeLessThan(700);
      expect(Buffer.byteLength(JSON.stringify(cut.body))).toBeLessThan(4096);
      expect(await knex('custom_models').pluck('name')).toEqual([]);
    } finally {
      await backend.stop();
      await fs.rm(dir, { recursive: true, force: true });
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
