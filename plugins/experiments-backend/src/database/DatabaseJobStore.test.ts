import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { requireTestService } from '@internal/mlops-node';
import { testJob } from '../__testUtils__/testJob';
import { DatabaseJobStore, StoredJob } from './DatabaseJobStore';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function createStore(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseJobStore.create({
    database: mockServices.database({ knex }),
  });
  return { knex, store };
}

describe('experiments database', () => {
  it.each(databases.eachSupportedId())(
    'migrates up and down on %p, and a job round-trips',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      expect(await knex.schema.hasTable('training_jobs')).toBe(true);

      const job: StoredJob = testJob(
        'mnist-cnn',
        'group:default/data-science',
        '2026-11-27T10:00:00.000Z',
        {
          project: 'system:default/mnist',
          state: 'RUNNING',
          reason: 'Started on cluster local',
          attempts: 2,
          updatedAt: '2026-11-27T10:05:00.123Z',
          startedAt: '2026-11-27T10:01:00.000Z',
          raySubmissionId: 'sub-1',
          rayJobId: '02000000',
          mlflowExperimentId: '3',
          mlflowRunId: '5f2c9e',
          registeredModel: { name: 'mnist-cnn-data-science', version: '4' },
        },
      );
      await store.insertJob(job);
      expect(await store.listJobs({ limit: 10 })).toEqual([job]);
      expect(await store.getJobs([job.id, 'missing'])).toEqual([
        job,
        undefined,
      ]);
      expect(await store.getJob(job.id)).toEqual(job);

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('training_jobs')).toBe(false);
      expect(await knex.schema.hasTable('training_job_outbox')).toBe(false);
    },
  );

  it.each(databases.eachSupportedId())(
    'filters by ownership conditions in SQL on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      for (const [i, owner] of ['team-a', 'team-b', 'team-c'].entries()) {
        await store.insertJob(
          testJob(
            owner,
            `group:default/${owner}`,
            `2026-11-2${i}T10:00:00.000Z`,
          ),
        );
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

  it.each(databases.eachSupportedId())(
    'moves a job once when transitions race, never backwards, on %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const job = testJob('a', 'group:default/a', '2026-11-27T10:00:00Z');
      await store.insertJob(job);

      // Ten reconcilers see the job RUNNING at once: exactly one moves it.
      const moved = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.transition(job.id, ['QUEUED'], 'STARTING', {
            raySubmissionId: job.id,
          }),
        ),
      );
      expect(moved.filter(Boolean)).toHaveLength(1);
      expect(
        await store.transition(job.id, ['STARTING'], 'RUNNING', {
          started: true,
        }),
      ).toBe(true);
      const running = (await store.getJob(job.id))!;
      expect(running.startedAt).toBeDefined();

      // A late delivery that still thinks the job is queued changes nothing.
      expect(await store.transition(job.id, ['QUEUED'], 'STARTING')).toBe(
        false,
      );
      expect(
        await store.transition(job.id, ['STARTING', 'RUNNING'], 'SUCCEEDED', {
          started: true,
          finished: true,
          mlflowRunId: 'run-1',
          registeredModel: { name: 'm', version: '1' },
        }),
      ).toBe(true);
      expect(
        await store.transition(job.id, ['STARTING', 'RUNNING'], 'FAILED', {
          reason: 'late',
        }),
      ).toBe(false);

      const done = (await store.getJob(job.id))!;
      expect(done).toMatchObject({
        state: 'SUCCEEDED',
        raySubmissionId: job.id,
        mlflowRunId: 'run-1',
        registeredModel: { name: 'm', version: '1' },
        startedAt: running.startedAt,
      });
      expect(done.reason).toBeUndefined();
      expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(
        Date.parse(done.startedAt!),
      );
      expect(await store.countAttempt(job.id, ['QUEUED'])).toBe(false);
      expect((await store.getJob(job.id))!.attempts).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'writes a job and its outbox row together, and relays claim disjoint rows, on %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      const first = testJob('a', 'group:default/a', '2026-11-27T10:00:00Z');
      const second = testJob('b', 'group:default/a', '2026-11-27T10:00:01Z');
      await store.insertJob(first, { enqueue: true });
      await store.insertJob(second, { enqueue: true });
      expect(await store.listOutbox()).toEqual([first.id, second.id]);

      // A job whose insert fails leaves no outbox row behind.
      await expect(
        store.insertJob({ ...first, name: 'duplicate id' }, { enqueue: true }),
      ).rejects.toThrow();
      expect(await store.listOutbox()).toEqual([first.id, second.id]);

      const [claimA, claimB] = await Promise.all([
        store.claimOutbox(1, 60_000),
        store.claimOutbox(5, 60_000),
      ]);
      const claimed = [...claimA, ...claimB].map(e => e.jobId).sort();
      expect(claimed).toEqual([first.id, second.id].sort());
      expect(await store.claimOutbox(5, 60_000)).toEqual([]);

      // Released rows come back; deleted rows do not.
      const [entry] = claimA;
      await store.releaseOutbox(entry, 0);
      const again = await store.claimOutbox(5, 60_000);
      expect(again.map(e => e.jobId)).toEqual([entry.jobId]);
      await store.deleteOutbox(entry); // the old claim no longer holds the row
      expect(await store.listOutbox()).toHaveLength(2);
      await store.deleteOutbox(again[0]);
      expect(await store.listOutbox()).toHaveLength(1);
      expect(await knex('training_jobs').pluck('id')).toHaveLength(2);
    },
  );

  it.each(databases.eachSupportedId())(
    "admits a team's jobs one at a time against its limit of active jobs on %p, other teams and ended jobs aside",
    async databaseId => {
      const { store } = await createStore(databaseId);
      const at = '2026-11-27T10:00:00.000Z';
      await store.insertJob(
        testJob('ended', 'group:default/team-a', at, { state: 'SUCCEEDED' }),
      );
      await store.insertJob(testJob('other', 'group:default/team-b', at));
      const limit = (max: number) => (active: number) => {
        if (active >= max) throw new Error(`${active} active`);
      };
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.insertJob(testJob(`j${i}`, 'group:default/team-a', at), {
            enqueue: true,
            admit: limit(3),
          }),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(3);
      expect(
        results
          .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
          .map(r => r.reason.message),
      ).toEqual(Array(5).fill('3 active'));
      const stored = await store.listJobs({ limit: 100 });
      expect(
        stored.filter(j => j.owner === 'group:default/team-a'),
      ).toHaveLength(4);
      expect(await store.listOutbox()).toHaveLength(3);
    },
  );
});
