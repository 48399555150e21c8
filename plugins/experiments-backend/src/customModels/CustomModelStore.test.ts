import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import { CustomModelStore } from './CustomModelStore';

const directory = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const at = new Date('2026-12-01T10:00:00.000Z');

describe('custom model names per team', () => {
  it.each(databases.eachSupportedId())(
    'keep the models of the portal-wide names and let another team use one of them on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      // Back to names unique across the portal, with a model stored under them.
      await knex.migrate.down({ directory });
      await knex('custom_models').insert({
        name: 'cnn',
        owner: 'group:default/team-a',
        description: 'A small CNN',
        created_by: 'user:default/ada',
        created_at: at,
      });
      await knex('custom_model_versions').insert({
        model_name: 'cnn',
        version: 1,
        sha256: 'a'.repeat(64),
        source: 'def build_model(config): ...',
        hyperparameter_schema: null,
        parameter_count: 42,
        created_by: 'user:default/ada',
        created_at: at,
      });
      await knex.migrate.latest({ directory });

      const store = new CustomModelStore(knex);
      const kept = await store.get('group:default/team-a', 'cnn');
      expect(kept).toMatchObject({
        name: 'cnn',
        owner: 'group:default/team-a',
        description: 'A small CNN',
        versions: [{ version: 1, owner: 'group:default/team-a' }],
      });
      expect(
        await store.getVersion(
          { owner: 'group:default/team-a', name: 'cnn' },
          1,
        ),
      ).toMatchObject({ source: 'def build_model(config): ...' });

      const theirs = await store.addVersion({
        name: 'cnn',
        owner: 'group:default/team-b',
        createdBy: 'user:default/bob',
        source: 'def build_model(config): ...',
        sha256: 'a'.repeat(64),
        parameterCount: 42,
      });
      expect(theirs).toMatchObject({
        owner: 'group:default/team-b',
        version: 1,
      });
      expect((await store.getByName('cnn')).map(m => m.owner)).toEqual([
        'group:default/team-a',
        'group:default/team-b',
      ]);
      expect(
        await store.getMany([
          'group:default/team-b/cnn',
          'group:default/team-c/cnn',
        ]),
      ).toEqual([
        expect.objectContaining({ owner: 'group:default/team-b' }),
        undefined,
      ]);
      // A job pins its version's owner; one stored before names were per team pins name,
      // version and sha256 only, which is the same source whichever team's it is.
      expect(
        await store.findPinnedVersion({
          owner: 'group:default/team-b',
          name: 'cnn',
          version: 1,
          sha256: 'a'.repeat(64),
        }),
      ).toMatchObject({ owner: 'group:default/team-b' });
      expect(
        await store.findPinnedVersion({
          name: 'cnn',
          version: 1,
          sha256: 'a'.repeat(64),
        }),
      ).toMatchObject({
        sha256: 'a'.repeat(64),
        source: 'def build_model(config): ...',
      });
      expect(
        await store.findPinnedVersion({
          name: 'cnn',
          version: 1,
          sha256: 'b'.repeat(64),
        }),
      ).toBeUndefined();

      await expect(knex.migrate.down({ directory })).rejects.toThrow(
        'Cannot make custom model names unique across teams: cnn are used by several teams',
      );
    },
  );
});
