import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { Loop } from './Loop';
import {
  DeliveredJobMessage,
  JobConsumer,
  JobHandler,
  JobMessage,
  JobOutcome,
  JobQueue,
  JobRetryOptions,
  ResolvedRetryOptions,
  resolveRetryOptions,
  retryDelayMs,
  runHandler,
  validateMessage,
} from './types';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-experiments-node',
  'migrations',
);

/**
 * The queue's own migrations table, so that its migrations live beside those of the plugin that
 * owns the database (each knex migrations table expects all of its files in one directory).
 *
 * @public
 */
export const JOB_QUEUE_MIGRATIONS_TABLE = 'knex_migrations_job_queue';

const TABLE = 'job_queue';

/**
 * Options of {@link DatabaseJobQueue}.
 *
 * @public
 */
export interface DatabaseJobQueueOptions extends JobRetryOptions {
  logger?: LoggerService;
  /** How long a delivery stays leased without a heartbeat before it is visible again (default 60 s). */
  visibilityTimeoutMs?: number;
  /** How often an idle consumer looks for messages (default 500 ms). */
  pollIntervalMs?: number;
}

type QueueRow = {
  id: number | string;
  job_id: string;
  attempt: number | string;
};

type Delivery = {
  id: number | string;
  message: DeliveredJobMessage;
  leaseOwner: string;
};

class DatabaseConsumer {
  private stopped = false;
  private abandoned = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly loop: Loop;

  constructor(
    private readonly queue: DatabaseJobQueue,
    private readonly handler: JobHandler,
    private readonly prefetch: number,
  ) {
    const { pollIntervalMs, logger } = queue.options;
    this.loop = new Loop(() => this.leaseAndHandle(), {
      intervalMs: pollIntervalMs,
      maxBackoffMs: 30_000,
      onError: error => logger?.warn(`Job queue poll failed: ${error}`),
    });
  }

  start() {
    this.loop.start();
  }

  wake() {
    this.loop.wake();
  }

  async stop() {
    this.stopped = true;
    await this.loop.stop();
    await Promise.all(this.inFlight);
  }

  /** Stops now: deliveries in flight keep their leases until they expire. */
  abandon() {
    this.stopped = true;
    this.abandoned = true;
    void this.loop.stop();
  }

  private async leaseAndHandle() {
    const free = this.prefetch - this.inFlight.size;
    if (free <= 0) return;
    const deliveries = await this.queue.lease(free);
    for (const delivery of deliveries) {
      if (this.stopped) {
        // Stopped while leasing: the lease expires and the row comes back.
        return;
      }
      const task = this.handle(delivery).finally(() => {
        this.inFlight.delete(task);
        this.wake();
      });
      this.inFlight.add(task);
    }
    if (deliveries.length === free) {
      // A full batch: more rows may be visible, so lease again without waiting.
      this.wake();
    }
  }

  private async handle(delivery: Delivery) {
    const { retry, visibilityTimeoutMs, logger } = this.queue.options;
    const heartbeat = setInterval(() => {
      if (this.abandoned) {
        clearInterval(heartbeat);
        return;
      }
      this.queue.heartbeat(delivery).catch(error => {
        logger?.warn(`Job queue heartbeat failed: ${error}`);
      });
    }, Math.max(Math.floor(visibilityTimeoutMs / 3), 5));
    try {
      const outcome = await runHandler(
        this.handler,
        delivery.message,
        { attempt: delivery.message.attempt, maxAttempts: retry.maxAttempts },
        error =>
          logger?.warn(
            `Job ${delivery.message.jobId} attempt ${delivery.message.attempt} failed: ${error}`,
          ),
      );
      clearInterval(heartbeat);
      if (this.abandoned) return;
      await this.queue.settle(delivery, outcome);
    } catch (error) {
      // The row keeps its lease and comes back once it expires.
      logger?.error(`Job queue could not settle a delivery: ${error}`);
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/**
 * The embedded job queue: rows of the table `job_queue`, leased to a consumer for a visibility
 * timeout that a heartbeat extends while the handler runs. A worker that dies stops the
 * heartbeat, and its rows become visible again once the lease expires. Works on SQLite and
 * PostgreSQL (`FOR UPDATE SKIP LOCKED`, so that competing workers never wait on each other).
 *
 * @public
 */
export class DatabaseJobQueue implements JobQueue {
  static async create(
    options: DatabaseJobQueueOptions & { database: DatabaseService },
  ): Promise<DatabaseJobQueue> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await DatabaseJobQueue.migrate(knex);
    }
    return new DatabaseJobQueue(knex, options);
  }

  /** Runs the queue's migrations on a client (done by {@link DatabaseJobQueue.create}). */
  static async migrate(knex: Knex): Promise<void> {
    await knex.migrate.latest({
      directory: migrationsDir,
      tableName: JOB_QUEUE_MIGRATIONS_TABLE,
    });
  }

  private readonly retry: ResolvedRetryOptions;
  private readonly visibilityTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly logger?: LoggerService;
  private readonly consumers = new Set<DatabaseConsumer>();
  private closed = false;

  private constructor(
    private readonly knex: Knex,
    options: DatabaseJobQueueOptions,
  ) {
    this.retry = resolveRetryOptions(options);
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.logger = options.logger;
    if (this.visibilityTimeoutMs < 10 || this.pollIntervalMs < 1) {
      throw new TypeError('visibilityTimeoutMs and pollIntervalMs too small');
    }
  }

  async publish(message: JobMessage): Promise<void> {
    if (this.closed) throw new Error('The job queue is closed');
    const { jobId, attempt } = validateMessage(message);
    await this.knex(TABLE).insert({
      job_id: jobId,
      attempt,
      available_at: Date.now(),
      leased_until: null,
      lease_owner: null,
      dead: false,
    });
    this.consumers.forEach(c => c.wake());
  }

  async consume(
    handler: JobHandler,
    options: { prefetch: number },
  ): Promise<JobConsumer> {
    if (this.closed) throw new Error('The job queue is closed');
    const prefetch = options.prefetch;
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new TypeError('prefetch must be an integer >= 1');
    }
    const consumer = new DatabaseConsumer(this, handler, prefetch);
    this.consumers.add(consumer);
    consumer.start();
    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const consumer of this.consumers) {
      consumer.abandon();
    }
    this.consumers.clear();
  }

  /** @internal */
  get options() {
    return {
      retry: this.retry,
      visibilityTimeoutMs: this.visibilityTimeoutMs,
      pollIntervalMs: this.pollIntervalMs,
      logger: this.logger,
    };
  }

  /** Leases up to `limit` visible rows in one statement. @internal */
  async lease(limit: number): Promise<Delivery[]> {
    const now = Date.now();
    const leaseOwner = randomUUID();
    const candidates = this.knex(TABLE)
      .select('id')
      .where('dead', false)
      .andWhere('available_at', '<=', now)
      .andWhere(q =>
        q.whereNull('leased_until').orWhere('leased_until', '<=', now),
      )
      .orderBy('available_at')
      .orderBy('id')
      .limit(limit);
    if (this.knex.client.config.client === 'pg') {
      candidates.forUpdate().skipLocked();
    }
    const rows: QueueRow[] = await this.knex(TABLE)
      .update({
        leased_until: now + this.visibilityTimeoutMs,
        lease_owner: leaseOwner,
      })
      .whereIn('id', candidates)
      .returning(['id', 'job_id', 'attempt']);
    return rows.map(row => ({
      id: row.id,
      leaseOwner,
      message: { jobId: row.job_id, attempt: Number(row.attempt) },
    }));
  }

  /** Extends a lease; false where it was lost. @internal */
  async heartbeat(delivery: Delivery): Promise<boolean> {
    const updated = await this.owned(delivery).update({
      leased_until: Date.now() + this.visibilityTimeoutMs,
    });
    return updated > 0;
  }

  /** Applies a handler's outcome, where the lease is still held. @internal */
  async settle(delivery: Delivery, outcome: JobOutcome): Promise<void> {
    const { attempt } = delivery.message;
    if (outcome === 'ack') {
      await this.owned(delivery).delete();
    } else if (outcome === 'retry' && attempt < this.retry.maxAttempts) {
      await this.owned(delivery).update({
        attempt: attempt + 1,
        available_at: Date.now() + retryDelayMs(attempt, this.retry),
        leased_until: null,
        lease_owner: null,
      });
    } else {
      await this.owned(delivery).update({
        dead: true,
        leased_until: null,
        lease_owner: null,
      });
    }
  }

  /** Dead-lettered messages, oldest first (for operators and tests). */
  async listDead(): Promise<DeliveredJobMessage[]> {
    const rows: QueueRow[] = await this.knex(TABLE)
      .select('id', 'job_id', 'attempt')
      .where('dead', true)
      .orderBy('id');
    return rows.map(r => ({ jobId: r.job_id, attempt: Number(r.attempt) }));
  }

  private owned(delivery: Delivery) {
    return this.knex(TABLE)
      .where('id', delivery.id)
      .andWhere('lease_owner', delivery.leaseOwner);
  }
}
