import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import {
  DatabaseJobQueue,
  JobQueue,
  RabbitMqJobQueue,
} from '@internal/backstage-plugin-experiments-node';
import { ExperimentsConfig } from '../config';

/**
 * The job queue, connected on first use and again after a failed connect: the backend starts, and
 * accepts jobs, while the broker is down. (Once connected, RabbitMqJobQueue reconnects itself.)
 */
export class QueueConnector {
  static fromConfig(options: {
    config: ExperimentsConfig['queue'];
    database: DatabaseService;
    logger: LoggerService;
  }): QueueConnector {
    const { config, database, logger } = options;
    const retry = {
      maxAttempts: config.maxAttempts,
      initialBackoffMs: config.initialBackoffMs,
      logger,
    };
    return new QueueConnector(() =>
      config.driver === 'rabbitmq'
        ? RabbitMqJobQueue.create({
            ...retry,
            url: config.rabbitmqUrl!,
            queueName: config.queueName,
            publishTimeoutMs: 10_000,
            reconnectMaxDelayMs: 5_000,
          })
        : DatabaseJobQueue.create({
            ...retry,
            database,
            visibilityTimeoutMs: config.visibilityTimeoutMs,
          }),
    );
  }

  private queue?: JobQueue;
  private connecting?: Promise<JobQueue>;
  private closed = false;

  constructor(private readonly connect: () => Promise<JobQueue>) {}

  /** The connected queue; throws when it cannot connect now. */
  async get(): Promise<JobQueue> {
    if (this.closed) throw new Error('The job queue is closed');
    if (this.queue) return this.queue;
    if (!this.connecting) {
      this.connecting = this.connect()
        .then(async queue => {
          if (this.closed) {
            await queue.close();
            throw new Error('The job queue is closed');
          }
          this.queue = queue;
          return queue;
        })
        .finally(() => {
          this.connecting = undefined;
        });
    }
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    await this.queue?.close();
    this.queue = undefined;
  }
}
