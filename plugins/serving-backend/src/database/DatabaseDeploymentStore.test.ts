import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import { requireTestService } from '@internal/mlops-node';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-serving-backend',
  'migrations',
);

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

function deployment(i: number, owner: string): ModelDeployment {
  return {
    id: `00000000-0000-4000-8000-00000000000${i}`,
    name: owner,
    owner: `group:default/${owner}`,
    modelName: 'mnist-cnn',
    modelVersion: String(i),
    cluster: 'local',
    state: 'HEALTHY',
    versions: [{ version: String(i), weight: 100 }],
    createdAt: `2026-11-2${i}T10:00:00.000Z`,
    updatedAt: `2026-11-2${i}T10:00:00.000Z`,
  };
}

describe('serving database', () => {
  it.each(databases.eachSupportedId())(
    'migrates up and down on %p, and a deployment round-trips',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDeploymentStore.create({
        database: mockServices.database({ knex }),
      });
      expect(await knex.schema.hasTable('model_deployments')).toBe(true);

      const stored: ModelDeployment = {
        ...deployment(1, 'data-science'),
        state: 'UNHEALTHY',
        endpoint: 'http://127.0.0.1:8000/mnist',
        updatedAt: '2026-11-27T10:05:00.123Z',
      };
      await store.insertDeployment(stored);
      expect(await store.listDeployments({ limit: 10 })).toEqual([stored]);
      expect(await store.getDeployments([stored.id, 'missing'])).toEqual([
        {
          ...stored,
          versions: [{ version: '1', weight: 100 }],
          scaling: { replicas: 1 },
          resources: { cpus: 1, gpus: 0 },
          createdBy: stored.owner,
        },
        undefined,
      ]);

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('model_deployments')).toBe(false);
      expect(await knex.schema.hasTable('model_deployment_history')).toBe(
        false,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps versions, keys (hash only) and history on %p, and the name unique per cluster',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDeploymentStore.create({
        database: mockServices.database({ knex }),
      });
      const actor = 'user:default/alice';
      const created = deployment(1, 'team-a');
      await store.insertDeployment(created, {
        actor,
        action: 'created',
        details: { modelVersion: '1' },
      });
      await expect(
        store.insertDeployment(
          { ...created, id: '00000000-0000-4000-8000-0000000000aa' },
          { actor, action: 'created', details: {} },
        ),
      ).rejects.toThrow('has a deployment named "team-a" already');
      expect(await store.getDeployment(created.id)).toMatchObject({
        versions: [{ version: '1', weight: 100 }],
        scaling: { replicas: 1 },
        resources: { cpus: 1, gpus: 0 },
      });

      const updated = await store.updateDeployment(created.id, current => ({
        deployment: {
          ...current,
          versions: [
            { version: '1', weight: 90 },
            { version: '2', weight: 10 },
          ],
          shadow: { version: '2', percent: 5 },
          scaling: { autoscaling: { minReplicas: 1, maxReplicas: 3 } },
          resources: { cpus: 0.5, gpus: 0.25 },
        },
        change: {
          actor,
          action: 'traffic-changed',
          details: { to: { '1': 90, '2': 10 } },
          reason: 'canary',
        },
      }));
      expect(await store.getDeployment(created.id)).toEqual(updated);
      await expect(
        store.updateDeployment(created.id, () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');

      // History is ordered by time: one change per millisecond at most here.
      const tick = () => new Promise(resolve => setTimeout(resolve, 5));
      await tick();
      const key = {
        id: '00000000-0000-4000-8000-000000000001',
        deploymentId: created.id,
        name: 'frontend',
        sha256: 'c'.repeat(64),
        createdBy: actor,
        createdAt: '2026-11-28T10:00:00.000Z',
        expiresAt: '2999-01-01T00:00:00.000Z',
        requestsPerSecond: 2.5,
        burst: 5,
      };
      await store.insertApiKey(key, {
        actor,
        action: 'key-created',
        details: { keyId: key.id },
      });
      const expired = {
        ...key,
        id: '00000000-0000-4000-8000-000000000002',
        sha256: 'd'.repeat(64),
        expiresAt: '2001-01-01T00:00:00.000Z',
      };
      await store.insertApiKey(expired, {
        actor,
        action: 'key-created',
        details: { keyId: expired.id },
      });
      expect(await store.listLiveApiKeys(created.id)).toEqual([key]);

      // Last use: only forward in time, only for the key's own deployment.
      const used = new Date('2026-11-29T08:00:00.000Z');
      expect(await store.recordKeyUse(created.id, key.id, used)).toBe(true);
      expect(
        await store.recordKeyUse(
          created.id,
          key.id,
          new Date(used.getTime() - 1000),
        ),
      ).toBe(false);
      expect(
        await store.recordKeyUse('another-deployment', key.id, new Date()),
      ).toBe(false);
      const [, stored] = await store.listApiKeys(created.id);
      expect(stored.lastUsedAt).toBe(used.toISOString());
      await tick();
      const revoked = await store.revokeApiKey(created.id, key.id, {
        actor,
        action: 'key-revoked',
        details: { keyId: key.id },
      });
      expect(revoked?.revokedAt).toEqual(expect.any(String));
      expect(await store.listLiveApiKeys(created.id)).toEqual([]);
      expect(
        await store.revokeApiKey('other', key.id, {
          actor,
          action: 'key-revoked',
          details: {},
        }),
      ).toBeUndefined();

      await tick();
      await store.deleteDeployment(created.id, {
        actor,
        action: 'deleted',
        details: {},
      });
      expect(await store.getDeployment(created.id)).toBeUndefined();
      expect(await store.listApiKeys(created.id)).toEqual([]);
      const history = await store.listHistory(created.id, 10);
      expect(history.map(e => [e.action, e.reason])).toEqual([
        ['deleted', undefined],
        ['key-revoked', undefined],
        ['key-created', undefined],
        ['key-created', undefined],
        ['traffic-changed', 'canary'],
        ['created', undefined],
      ]);
      expect(history[4].details).toEqual({ to: { '1': 90, '2': 10 } });
    },
  );

  it.each(databases.eachSupportedId())(
    'filters by ownership conditions in SQL on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDeploymentStore.create({
        database: mockServices.database({ knex }),
      });
      for (const [i, owner] of ['team-a', 'team-b', 'team-c'].entries()) {
        await store.insertDeployment(deployment(i, owner));
      }
      const names = async (
        filter: Parameters<typeof store.listDeployments>[0]['filter'],
      ) =>
        (await store.listDeployments({ filter, limit: 10 })).map(d => d.name);

      expect(await names({ ownerIn: ['group:default/team-a'] })).toEqual([
        'team-a',
      ]);
      expect(await names({ ownerIn: [] })).toEqual([]);
      expect(
        await names({
          anyOf: [
            { ownerIn: ['group:default/team-a'] },
            {
              not: {
                ownerIn: ['group:default/team-a', 'group:default/team-b'],
              },
            },
          ],
        }),
      ).toEqual(['team-c', 'team-a']);
      expect(
        await names({
          allOf: [
            { ownerIn: ['group:default/team-a', 'group:default/team-b'] },
            { ownerIn: ['group:default/team-b', 'group:default/team-c'] },
          ],
        }),
      ).toEqual(['team-b']);
    },
  );
});
