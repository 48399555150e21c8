import { LoggerService } from '@backstage/backend-plugin-api';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { Loop } from '@internal/backstage-plugin-experiments-node';
import { QueueConnector } from './QueueConnector';

/**
 * Publishes the rows of the job outbox to the queue, oldest first, and deletes each once the
 * queue confirmed it (a publisher confirm on RabbitMQ). While the queue is unreachable the rows
 * stay, and the jobs stay QUEUED; they are published when it is back. Several relays (backend
 * replicas) claim disjoint rows; a relay that dies leaves its claim to expire. A job may be
 * published twice in rare cases (confirmed, then the relay died before deleting): the worker
 * ignores a job that has left QUEUED.
 */
export class OutboxRelay {
  private readonly loop: Loop;

  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      queue: QueueConnector;
      logger: LoggerService;
      pollIntervalMs?: number;
    },
  ) {
    this.loop = new Loop(() => this.publishPending(), {
      intervalMs: deps.pollIntervalMs ?? 1000,
      maxBackoffMs: 5_000,
      onError: error =>
        deps.logger.warn(
          `Training jobs wait in the outbox: the job queue is unavailable (${
            (error as Error).message
          })`,
        ),
    });
  }

  start() {
    this.loop.start();
  }

  /** Publishes at once, instead of at the next poll. */
  wake() {
    this.loop.wake();
  }

  stop() {
    return this.loop.stop();
  }

  /** Publishes what is in the outbox now; throws (keeping the rest) when the queue fails. */
  async publishPending(): Promise<void> {
    const { store } = this.deps;
    for (;;) {
      const entries = await store.claimOutbox(20, 60_000);
      if (entries.length === 0) return;
      for (const [index, entry] of entries.entries()) {
        try {
          const queue = await this.deps.queue.get();
          await queue.publish({ jobId: entry.jobId });
        } catch (error) {
          await Promise.all(
            entries.slice(index).map(e => store.releaseOutbox(e, 0)),
          );
          throw error;
        }
        await store.deleteOutbox(entry);
      }
    }
  }
}
