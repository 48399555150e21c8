import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import {
  DatabaseJobQueue,
  JOB_QUEUE_MIGRATIONS_TABLE,
} from './DatabaseJobQueue';
import { runJobQueueContract } from './JobQueue.contract';
import { JobQueue } from './types';

// PostgreSQL is never skipped silently: the test command must give its address.
requireTestService('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())(
  'DatabaseJobQueue on %p',
  databaseId => {
    runJobQueueContract(async () => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({ knex });
      const queues: JobQueue[] = [];
      let first: DatabaseJobQueue | undefined;
      return {
        async createQueue(options) {
          const queue = await DatabaseJobQueue.create({
            database,
            ...options,
            visibilityTimeoutMs: 500,
            pollIntervalMs: 25,
          });
          first ??= queue;
          queues.push(queue);
          return queue;
        },
        async deadJobs() {
          return first ? first.listDead() : [];
        },
        async cleanup() {
          await Promise.all(queues.map(q => q.close()));
        },
      };
    });

    it('migrates up and down beside another migrations table', async () => {
      const knex = await databases.init(databaseId);
      // The owning plugin's own migrations, in the default migrations table.
      await knex.migrate.latest({
        migrationSource: {
          getMigrations: async () => ['20261127000000_other'],
          getMigrationName: (name: string) => name,
          getMigration: async () => ({
            up: (k: typeof knex) =>
              k.schema.createTable('other', t => t.increments('id')),
            down: (k: typeof knex) => k.schema.dropTable('other'),
          }),
        },
      });
      await DatabaseJobQueue.create({
        database: mockServices.database({ knex }),
      });
      expect(await knex.schema.hasTable('job_queue')).toBe(true);
      expect(await knex.schema.hasTable(JOB_QUEUE_MIGRATIONS_TABLE)).toBe(true);
      await DatabaseJobQueue.migrate(knex); // idempotent
      await knex.migrate.rollback(
        {
          directory: `${__dirname}/../migrations`,
          tableName: JOB_QUEUE_MIGRATIONS_TABLE,
        },
        true,
      );
      expect(await knex.schema.hasTable('job_queue')).toBe(false);
      expect(await knex.schema.hasTable('other')).toBe(true);
    });

    it('gives an expired lease to the next worker', async () => {
      const knex = await databases.init(databaseId);
      const queue = await DatabaseJobQueue.create({
        database: mockServices.database({ knex }),
        visibilityTimeoutMs: 200,
        pollIntervalMs: 20,
      });
      await queue.publish({ jobId: 'j' });
      // A worker that leased the row and died: no heartbeat.
      const leaseEnds = Date.now() + 300;
      const [row] = await knex('job_queue')
        .update({ leased_until: leaseEnds, lease_owner: 'dead-worker' })
        .returning('id');
      expect(row).toBeDefined();
      const deliveries: Array<{ jobId: string; at: number }> = [];
      const consumer = await queue.consume(
        async m => {
          deliveries.push({ jobId: m.jobId, at: Date.now() });
          return 'ack';
        },
        { prefetch: 1 },
      );
      for (let waited = 0; deliveries.length === 0 && waited < 10_000; ) {
        await new Promise(r => setTimeout(r, 50));
        waited += 50;
      }
      // Delivered once, and not before the dead worker's lease ran out.
      expect(deliveries.map(d => d.jobId)).toEqual(['j']);
      expect(deliveries[0].at).toBeGreaterThanOrEqual(leaseEnds);
      await consumer.stop();
      const [{ n }] = await knex('job_queue').count({ n: '*' });
      expect(Number(n)).toBe(0);
    });
  },
);
