import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDatasetStore, migrationsDir } from './DatabaseDatasetStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('datasets migrations', () => {
  it.each(databases.eachSupportedId())(
    'create the datasets and versions tables and roll them back on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDatasetStore.create({
        getClient: async () => knex,
      });

      expect(await knex.schema.hasTable('datasets')).toBe(true);
      expect(await knex.schema.hasTable('dataset_connections')).toBe(true);
      const mnist = await store.create({
        name: 'mnist',
        owner: 'group:default/team-a',
        description: 'Handwritten digits',
        format: 'idx',
      });
      expect(await store.list()).toEqual([mnist]);
      expect(await store.getByIds([mnist.id, 'missing'])).toEqual([
        mnist,
        undefined,
      ]);
      await expect(
        store.create({ name: 'mnist', owner: 'group:default/team-a' }),
      ).rejects.toMatchObject({ name: 'ConflictError' });

      const file = {
        path: 'a.csv',
        key: 'k/a.csv',
        size: 3,
        sha256: 'ab'.repeat(32),
      };
      const { version, created } = await store.addVersion(mnist.id, {
        apply: () => [file],
        message: 'upload a.csv',
        createdBy: 'user:default/a',
        format: () => 'csv',
      });
      expect(created).toBe(true);
      expect(version).toMatchObject({
        files: [file],
        fileCount: 1,
        totalBytes: 3,
      });
      expect(await store.getVersion(mnist.id, version.version)).toEqual(
        version,
      );
      expect(await store.listVersions(mnist.id)).toEqual([
        expect.objectContaining({ version: version.version, totalBytes: 3 }),
      ]);
      expect((await store.get(mnist.id)).latestVersion).toBe(version.version);
      const again = await store.addVersion(mnist.id, {
        apply: files => files,
        message: 'nothing',
        createdBy: 'user:default/a',
      });
      expect(again).toEqual({ version, created: false });

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('dataset_connections')).toBe(false);
      expect(await knex.schema.hasTable('dataset_versions')).toBe(false);
      expect(await knex.schema.hasTable('datasets')).toBe(false);
    },
  );
});
