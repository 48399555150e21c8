import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDatasetStore, migrationsDir } from './DatabaseDatasetStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('datasets migrations', () => {
  it.each(databases.eachSupportedId())(
    'create the datasets table and roll it back on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDatasetStore.create({
        getClient: async () => knex,
      });

      expect(await knex.schema.hasTable('datasets')).toBe(true);
      const created = await store.create({
        name: 'mnist',
        owner: 'group:default/team-a',
        description: 'Handwritten digits',
        format: 'idx',
      });
      expect(await store.list()).toEqual([created]);
      expect(await store.getByIds([created.id, 'missing'])).toEqual([
        created,
        undefined,
      ]);
      await expect(
        store.create({ name: 'mnist', owner: 'group:default/team-a' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('datasets')).toBe(false);
    },
  );
});
