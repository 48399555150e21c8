import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabaseDriftMonitorStore,
  migrationsDir,
} from './DatabaseDriftMonitorStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('drift migrations', () => {
  it.each(databases.eachSupportedId())(
    'create the drift_monitors table and roll it back on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDriftMonitorStore.create({
        getClient: async () => knex,
      });

      expect(await knex.schema.hasTable('drift_monitors')).toBe(true);
      const created = await store.create({
        name: 'mnist-inputs',
        owner: 'group:default/team-a',
        deployment: 'mnist-cnn',
        schedule: '0 * * * *',
      });
      expect(await store.list()).toEqual([created]);
      expect(await store.getByIds([created.id, 'missing'])).toEqual([
        created,
        undefined,
      ]);
      await expect(
        store.create({
          name: 'mnist-inputs',
          owner: 'group:default/team-a',
          deployment: 'other',
        }),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('drift_monitors')).toBe(false);
    },
  );
});
