import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import { testJob } from '../__testUtils__/testJob';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { TrialReport } from './trialLines';
import { TrialStore } from './TrialStore';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  'migrations',
);

requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function createStores(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const jobs = await DatabaseJobStore.create({
    database: mockServices.database({ knex }),
  });
  return { knex, jobs, trials: new TrialStore(knex) };
}

function report(
  trialId: string,
  extra: Partial<TrialReport> = {},
): TrialReport {
  return {
    trialId,
    state: 'RUNNING',
    config: { learning_rate: 0.001 },
    hyperparameters: { learning_rate: 0.001, epochs: 2 },
    seed: 2147483647,
    metrics: {},
    history: [],
    best: false,
    ...extra,
  };
}

describe('trial store', () => {
  it.each(databases.eachSupportedId())(
    'migrates up and down, and trials round-trip on %p',
    async databaseId => {
      const { knex, jobs, trials } = await createStores(databaseId);
      expect(await knex.schema.hasTable('training_job_trials')).toBe(true);
      const job = testJob('tune', 'group:default/a', '2026-11-27T10:00:00Z');
      await jobs.insertJob(job);

      expect(
        await trials.record(job.id, [report('t_00000'), report('t_00001')]),
      ).toBe(2);
      const finished = report('t_00000', {
        state: 'SUCCEEDED',
        metrics: { test_accuracy: 0.991, test_loss: 0.03 },
        history: [
          { epoch: 1, elapsedSeconds: 40.5, metrics: { test_accuracy: 0.985 } },
          { epoch: 2, elapsedSeconds: 81, metrics: { test_accuracy: 0.991 } },
        ],
        best: true,
        mlflowRunId: 'child-0',
      });
      // Only the trial that changed is written again.
      expect(await trials.record(job.id, [finished, report('t_00001')])).toBe(
        1,
      );
      const failed = report('t_00001', { state: 'FAILED', error: 'boom' });
      expect(await trials.record(job.id, [finished, failed])).toBe(1);

      const listed = await trials.list(job.id);
      expect(listed.map(t => t.trialId)).toEqual(['t_00000', 't_00001']);
      expect(listed[0]).toEqual({
        ...finished,
        jobId: job.id,
        updatedAt: expect.any(String),
      });
      expect(listed[1]).toMatchObject({
        state: 'FAILED',
        error: 'boom',
        best: false,
        mlflowRunId: undefined,
      });
      expect(await trials.list('another-job')).toEqual([]);

      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('training_job_trials')).toBe(false);
    },
  );
});
