import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { requireTestService } from '@internal/mlops-node';
import { DatabaseJobStore } from './DatabaseJobStore';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe('experiments database', () => {
  it.each(databases.eachSupportedId())(
    'migrates up and down on %p, and a job round-trips',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseJobStore.create({
        database: mockServices.database({ knex }),
      });
      expect(await knex.schema.hasTable('training_jobs')).toBe(true);

      const job: TrainingJob = {
        id: '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
        name: 'mnist-cnn',
        owner: 'group:default/data-science',
        project: 'system:default/mnist',
        state: 'RUNNING',
        reason: 'Started on cluster local',
        createdAt: '2026-11-27T10:00:00.000Z',
        updatedAt: '2026-11-27T10:05:00.123Z',
        mlflowRunId: '5f2c9e',
      };
      await store.insertJob(job, { epochs: 3, lr: 0.01 });
      expect(await store.listJobs({ limit: 10 })).toEqual([job]);
      expect(await store.getJobs([job.id, 'missing'])).toEqual([
        job,
        undefined,
      ]);
      const [row] = await knex('training_jobs').select('config');
      expect(JSON.parse(row.config)).toEqual({ epochs: 3, lr: 0.01 });

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('training_jobs')).toBe(false);
    },
  );

  it.each(databases.eachSupportedId())(
    'filters by ownership conditions in SQL on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseJobStore.create({
        database: mockServices.database({ knex }),
      });
      for (const [i, owner] of ['team-a', 'team-b', 'team-c'].entries()) {
        await store.insertJob({
          id: `00000000-0000-4000-8000-00000000000${i}`,
          name: owner,
          owner: `group:default/${owner}`,
          state: 'QUEUED',
          createdAt: `2026-11-2${i}T10:00:00.000Z`,
          updatedAt: `2026-11-2${i}T10:00:00.000Z`,
        });
      }
      const names = async (
        filter: Parameters<typeof store.listJobs>[0]['filter'],
      ) => (await store.listJobs({ filter, limit: 10 })).map(j => j.name);

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
