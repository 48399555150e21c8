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
        stored,
        undefined,
      ]);

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('model_deployments')).toBe(false);
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
