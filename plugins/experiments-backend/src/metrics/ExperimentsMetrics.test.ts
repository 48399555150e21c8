import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseJobQueue } from '@internal/backstage-plugin-experiments-node';
import {
  RecordedHistogram,
  requireTestService,
  TestMetrics,
} from '@internal/mlops-node';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { testJob, testJobConfig } from '../__testUtils__/testJob';
import { waitFor } from '../__testUtils__/testBackend';
import { DatabaseQueueDepth } from './queueDepth';
import { ExperimentsMetrics, templateLabel } from './ExperimentsMetrics';

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const testMetrics: TestMetrics[] = [];
afterEach(async () => {
  await Promise.all(testMetrics.splice(0).map(m => m.shutdown()));
});

/** The store, the queue table and the metrics as plugin.ts wires them, on one database. */
async function setUp(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const database = mockServices.database({ knex });
  const metrics = new TestMetrics();
  testMetrics.push(metrics);
  const experimentsMetrics = new ExperimentsMetrics(
    metrics.forPlugin('experiments'),
  );
  const store = await DatabaseJobStore.create({
    database,
    onMilestone: milestone => experimentsMetrics.recordMilestone(milestone),
  });
  const queue = await DatabaseJobQueue.create({
    database,
    initialBackoffMs: 60_000,
  });
  experimentsMetrics.observe({
    templateIds: () => ['mnist-cnn', 'tabular-classifier'],
    countJobs: () => store.countByStateAndTemplate(),
    oldestQueuedJob: () => store.oldestSubmittedIn('QUEUED'),
    queueDepth: new DatabaseQueueDepth(knex),
  });
  return { knex, store, queue, metrics };
}

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000).toISOString();

const customConfig = {
  ...testJobConfig,
  template: { id: 'custom:my-model@3', version: '3' },
};

describe('experiments metrics', () => {
  it.each(databases.eachSupportedId())(
    'counts jobs by state and template, and times their start and end, on %p',
    async databaseId => {
      const { store, metrics } = await setUp(databaseId);
      const jobs = (state: string, template: string) =>
        metrics.value('mlops_training_jobs', { state, template });
      // Before the first job: every state of every built-in template reads 0.
      expect(await jobs('QUEUED', 'tabular-classifier')).toBe(0);
      expect(await metrics.points('mlops_training_jobs')).toHaveLength(14);

      const owner = 'group:default/team-a';
      const first = testJob('first', owner, secondsAgo(120));
      const second = testJob('second', owner, secondsAgo(60));
      const custom = testJob('custom', owner, secondsAgo(30), {
        config: customConfig,
      });
      for (const job of [first, second, custom]) {
        await store.insertJob(job, { enqueue: true });
      }

      expect(await jobs('QUEUED', 'mnist-cnn')).toBe(2);
      expect(await jobs('QUEUED', 'custom')).toBe(1);
      expect(await jobs('RUNNING', 'mnist-cnn')).toBe(0);
      const oldest = (await metrics.value(
        'mlops_job_queue_oldest_message_age_seconds',
      )) as number;
      expect(oldest).toBeGreaterThanOrEqual(119);
      expect(oldest).toBeLessThan(150);

      // first: picked up, seen running, then succeeded.
      await store.transition(first.id, ['QUEUED'], 'STARTING');
      await store.transition(first.id, ['STARTING'], 'RUNNING', {
        started: true,
      });
      await store.transition(first.id, ['STARTING', 'RUNNING'], 'SUCCEEDED', {
        started: true,
        finished: true,
      });
      // second: succeeded before the reconciler saw it running.
      await store.transition(second.id, ['QUEUED'], 'STARTING');
      await store.transition(second.id, ['STARTING'], 'SUCCEEDED', {
        started: true,
        finished: true,
      });
      // custom: cancelled while queued; a second cancel loses the race and records nothing.
      await store.transition(custom.id, ['QUEUED'], 'CANCELLED', {
        finished: true,
      });
      expect(
        await store.transition(custom.id, ['QUEUED'], 'CANCELLED', {
          finished: true,
        }),
      ).toBe(false);

      const startDelay = (await metrics.value(
        'mlops_training_job_start_delay_seconds',
        { template: 'mnist-cnn' },
      )) as RecordedHistogram;
      expect(startDelay.count).toBe(2);
      expect(startDelay.sum).toBeGreaterThanOrEqual(180);
      expect(startDelay.sum).toBeLessThan(240);
      expect(
        await metrics.value('mlops_training_job_start_delay_seconds', {
          template: 'custom',
        }),
      ).toBeUndefined();

      const succeeded = (await metrics.value(
        'mlops_training_job_duration_seconds',
        { template: 'mnist-cnn', state: 'SUCCEEDED' },
      )) as RecordedHistogram;
      expect(succeeded.count).toBe(2);
      expect(succeeded.min).toBeGreaterThanOrEqual(59);
      expect(succeeded.max).toBeGreaterThanOrEqual(119);
      expect(succeeded.max).toBeLessThan(150);
      const cancelled = (await metrics.value(
        'mlops_training_job_duration_seconds',
        { template: 'custom', state: 'CANCELLED' },
      )) as RecordedHistogram;
      expect(cancelled.count).toBe(1);
      expect(cancelled.sum).toBeGreaterThanOrEqual(29);

      expect(await jobs('QUEUED', 'mnist-cnn')).toBe(0);
      expect(await jobs('SUCCEEDED', 'mnist-cnn')).toBe(2);
      expect(await jobs('CANCELLED', 'custom')).toBe(1);
      expect(
        await metrics.value('mlops_job_queue_oldest_message_age_seconds'),
      ).toBe(0);

      // Only the state and the template label the series: no job ids, users or datasets.
      for (const name of [
        'mlops_training_jobs',
        'mlops_training_job_start_delay_seconds',
        'mlops_training_job_duration_seconds',
      ]) {
        for (const point of await metrics.points(name)) {
          for (const key of Object.keys(point.attributes)) {
            expect(['state', 'template']).toContain(key);
          }
        }
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'counts a start once when its transitions fall within one millisecond, on %p',
    async databaseId => {
      const { store, metrics } = await setUp(databaseId);
      const job = testJob('quick', 'group:default/team-a', secondsAgo(10));
      await store.insertJob(job, { enqueue: true });
      // Only the clock is frozen: the database drivers keep their real timers.
      jest.useFakeTimers({
        now: Date.now(),
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'requestIdleCallback',
          'cancelIdleCallback',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      try {
        await store.transition(job.id, ['QUEUED'], 'STARTING');
        await store.transition(job.id, ['STARTING'], 'RUNNING', {
          started: true,
        });
        await store.transition(job.id, ['RUNNING'], 'SUCCEEDED', {
          started: true,
          finished: true,
        });
      } finally {
        jest.useRealTimers();
      }
      const startDelay = (await metrics.value(
        'mlops_training_job_start_delay_seconds',
        { template: 'mnist-cnn' },
      )) as RecordedHistogram;
      expect(startDelay.count).toBe(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'reads the depth of the database job queue on %p',
    async databaseId => {
      const { queue, metrics } = await setUp(databaseId);
      const messages = (name: 'main' | 'dead') =>
        metrics.value('mlops_job_queue_messages', { queue: name });

      await queue.publish({ jobId: 'to-dead-letter' });
      await queue.publish({ jobId: 'to-retry-later' });
      expect(await messages('main')).toBe(2);
      expect(await messages('dead')).toBe(0);

      // One is dead-lettered, one waits for its retry backoff: neither is ready.
      const handled = new Set<string>();
      const consumer = await queue.consume(
        async message => {
          handled.add(message.jobId);
          return message.jobId === 'to-dead-letter' ? 'dead' : 'retry';
        },
        { prefetch: 2 },
      );
      await waitFor('both messages handled', async () => handled.size === 2);
      await consumer.stop();
      await queue.publish({ jobId: 'ready' });

      expect(await messages('main')).toBe(1);
      expect(await messages('dead')).toBe(1);
      await queue.close();
    },
  );
});

describe('templateLabel', () => {
  it('names built-in templates and folds every custom model into one label', () => {
    expect(templateLabel('mnist-cnn')).toBe('mnist-cnn');
    expect(templateLabel('custom:fraud-model@12')).toBe('custom');
    expect(templateLabel(undefined)).toBe('unknown');
  });
});
