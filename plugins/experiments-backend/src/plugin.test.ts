import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import { closedPortUrl, requireTestService } from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import { experimentsPlugin } from './plugin';

// A real MLflow server started by the test command.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function startBackend(
  options: { trackingUrl?: string; permissions?: ServiceFactory } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      experimentsPlugin,
      options.permissions ?? mockServices.permissions.factory(),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: { mlflow: { trackingUrl: options.trackingUrl ?? mlflowUrl } },
        },
      }),
    ],
  });
  const store = await DatabaseJobStore.create({
    database: mockServices.database({ knex }),
  });
  return { server, store };
}

function job(name: string, owner: string, createdAt: string): TrainingJob {
  return {
    id: randomUUID(),
    name,
    owner,
    state: 'QUEUED',
    createdAt,
    updatedAt: createdAt,
  };
}

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

  it('lists stored jobs, newest first, up to the limit', async () => {
    const { server, store } = await startBackend();
    await request(server)
      .get('/api/experiments/jobs')
      .expect(200, { items: [] });

    const older = job(
      'mnist-cnn',
      'group:default/team-a',
      '2026-01-01T10:00:00.000Z',
    );
    const newer = {
      ...job('mnist-tune', 'group:default/team-b', '2026-01-02T10:00:00.000Z'),
      state: 'FAILED' as const,
      reason: 'Ray job failed',
      project: 'system:default/mnist',
      mlflowRunId: 'abc123',
    };
    await store.insertJob(older, { epochs: 3 });
    await store.insertJob(newer);

    const all = await request(server).get('/api/experiments/jobs').expect(200);
    expect(all.body.items).toEqual([newer, older]);
    const one = await request(server)
      .get('/api/experiments/jobs?limit=1')
      .expect(200);
    expect(one.body.items).toEqual([newer]);
  });

  it('shows a team only its own jobs when the policy grants by ownership', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'experiments',
          resourceType: 'training-job',
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: 'training-job',
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    });
    const { server, store } = await startBackend({
      permissions: permissions.factory,
    });
    await store.insertJob(
      job('a', 'group:default/team-a', '2026-01-01T10:00:00Z'),
    );
    await store.insertJob(
      job('b', 'group:default/team-b', '2026-01-02T10:00:00Z'),
    );
    await store.insertJob(
      job('c', 'user:default/mock', '2026-01-03T10:00:00Z'),
    );

    const res = await request(server).get('/api/experiments/jobs').expect(200);
    expect(res.body.items.map((j: TrainingJob) => j.name)).toEqual(['c', 'b']);
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

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
  });

  it('denies the status route and hides all jobs when the policy denies', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server, store } = await startBackend({
      permissions: permissions.factory,
    });
    await store.insertJob(
      job('a', 'user:default/mock', '2026-01-01T10:00:00Z'),
    );

    const status = await request(server).get('/api/experiments/status');
    expect(status.status).toBe(403);
    expect(status.body.error.message).toContain('experiments.status.read');
    await request(server)
      .get('/api/experiments/jobs')
      .expect(200, { items: [] });
  });
});
