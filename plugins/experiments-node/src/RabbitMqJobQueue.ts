import { LoggerService } from '@backstage/backend-plugin-api';
import { Channel, ChannelModel, ConfirmChannel, connect } from 'amqplib';
import type { ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  DeliveredJobMessage,
  JobConsumer,
  JobHandler,
  JobMessage,
  JobQueue,
  JobRetryOptions,
  ResolvedRetryOptions,
  resolveRetryOptions,
  retryDelayMs,
  runHandler,
  sleep,
  validateMessage,
} from './types';

/**
 * Options of {@link RabbitMqJobQueue}.
 *
 * @public
 */
export interface RabbitMqJobQueueOptions extends JobRetryOptions {
  /** For example `amqp://guest:guest@127.0.0.1:5672`. */
  url: string;
  /**
   * Name of the main queue, and prefix of the others (`<name>.dead`, `<name>.dlx`,
   * `<name>.retry.<ms>`). Default `experiments.jobs`.
   */
  queueName?: string;
  logger?: LoggerService;
  /** First delay before reconnecting after the connection or a channel is lost (default 500 ms). */
  reconnectInitialDelayMs?: number;
  /** Upper bound of the reconnect delay (default 30 s). */
  reconnectMaxDelayMs?: number;
  /**
   * AMQP heartbeat, so that a connection that died silently is noticed (default 15 s; a
   * `heartbeat` in the URL wins).
   */
  heartbeatSeconds?: number;
  /** How long `publish` keeps trying (across reconnects) before it fails (default 30 s). */
  publishTimeoutMs?: number;
}

/**
 * The names a {@link RabbitMqJobQueue} uses on the broker.
 *
 * @public
 */
export interface RabbitMqJobQueueNames {
  queue: string;
  deadLetterExchange: string;
  deadQueue: string;
  retryQueuePrefix: string;
}

function parseBody(content: Buffer): DeliveredJobMessage | undefined {
  try {
    return validateMessage(JSON.parse(content.toString('utf8')));
  } catch {
    return undefined;
  }
}

/** @internal */
class RabbitMqConsumer {
  private channel?: Channel;
  private consumerTag?: string;
  private attaching?: Promise<void>;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queue: RabbitMqJobQueue,
    private readonly handler: JobHandler,
    private readonly prefetch: number,
  ) {}

  needsChannel() {
    return !this.stopped && !this.channel && !this.attaching;
  }

  attach(connection: ChannelModel): Promise<void> {
    if (this.stopped || this.channel) return Promise.resolve();
    if (!this.attaching) {
      this.attaching = this.doAttach(connection).finally(() => {
        this.attaching = undefined;
      });
    }
    return this.attaching;
  }

  private async doAttach(connection: ChannelModel) {
    const { names, logger } = this.queue.settings;
    const channel = await connection.createChannel();
    channel.on('error', error =>
      logger?.warn(`Job queue consumer channel error: ${error}`),
    );
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.stopped && this.queue.isOpen()) this.queue.reattach(this);
    });
    await channel.prefetch(this.prefetch);
    const { consumerTag } = await channel.consume(
      names.queue,
      delivery => this.onDelivery(channel, delivery),
      { noAck: false },
    );
    if (this.stopped) {
      await channel.close().catch(() => {});
      return;
    }
    this.channel = channel;
    this.consumerTag = consumerTag;
  }

  /** The connection is gone; its channel with it. */
  detach() {
    this.channel = undefined;
  }

  abandon() {
    this.stopped = true;
    this.channel = undefined;
  }

  async stop() {
    this.stopped = true;
    const channel = this.channel;
    if (channel && this.consumerTag) {
      await channel.cancel(this.consumerTag).catch(() => {});
    }
    await Promise.all(this.inFlight);
    this.channel = undefined;
    if (channel) await channel.close().catch(() => {});
  }

  private onDelivery(channel: Channel, delivery: ConsumeMessage | null) {
    if (!delivery) {
      // Cancelled by the broker (the queue was deleted): start over.
      if (this.channel === channel) {
        this.channel = undefined;
        channel.close().catch(() => {});
        if (!this.stopped && this.queue.isOpen()) this.queue.reattach(this);
      }
      return;
    }
    const task = this.handle(channel, delivery).finally(() => {
      this.inFlight.delete(task);
    });
    this.inFlight.add(task);
  }

  private async handle(channel: Channel, delivery: ConsumeMessage) {
    const { retry, logger } = this.queue.settings;
    const message = parseBody(delivery.content);
    try {
      if (!message) {
        logger?.warn('Job queue dead-letters a message it cannot read');
        channel.nack(delivery, false, false);
        return;
      }
      const outcome = await runHandler(
        this.handler,
        message,
        { attempt: message.attempt, maxAttempts: retry.maxAttempts },
        error =>
          logger?.warn(
            `Job ${message.jobId} attempt ${message.attempt} failed: ${error}`,
          ),
      );
      if (outcome === 'ack') {
        channel.ack(delivery);
      } else if (outcome === 'retry' && message.attempt < retry.maxAttempts) {
        try {
          await this.queue.publishRetry(message);
        } catch (error) {
          logger?.warn(`Job queue could not schedule a retry: ${error}`);
          channel.nack(delivery, false, true);
          return;
        }
        channel.ack(delivery);
      } else {
        channel.nack(delivery, false, false);
      }
    } catch (error) {
      // The channel is gone: the broker redelivers the message.
      logger?.debug(`Job queue could not settle a delivery: ${error}`);
    }
  }
}

/**
 * The production job queue on RabbitMQ: a durable queue of persistent messages, published with
 * publisher confirms and consumed with manual acknowledgement and a prefetch limit.
 *
 * A 'retry' republishes the message (attempt + 1, publisher-confirmed) to a retry queue whose
 * TTL is the backoff of that attempt (one queue per delay, so that no message waits behind a
 * longer one); the retry queue dead-letters expired messages back to the main queue. Then the
 * original delivery is acked. A 'dead' (or a retry past `maxAttempts`) rejects the delivery
 * without requeueing, which moves it through the dead-letter exchange to the dead queue.
 *
 * A lost connection or channel is re-created with exponential backoff, and the consumers with it;
 * deliveries that were in flight are redelivered by the broker.
 *
 * @public
 */
export class RabbitMqJobQueue implements JobQueue {
  /** Connects (and declares the queues); fails when the broker cannot be reached. */
  static async create(
    options: RabbitMqJobQueueOptions,
  ): Promise<RabbitMqJobQueue> {
    const queue = new RabbitMqJobQueue(options);
    await queue.connectOnce();
    return queue;
  }

  readonly names: RabbitMqJobQueueNames;
  private readonly retry: ResolvedRetryOptions;
  private readonly logger?: LoggerService;
  private readonly reconnectInitialDelayMs: number;
  private readonly reconnectMaxDelayMs: number;
  private readonly publishTimeoutMs: number;
  private readonly consumers = new Set<RabbitMqConsumer>();
  private connection?: ChannelModel;
  private publishChannel?: Promise<ConfirmChannel>;
  private reconnecting = false;
  private closed = false;

  private constructor(private readonly options: RabbitMqJobQueueOptions) {
    const name = options.queueName ?? 'experiments.jobs';
    this.names = {
      queue: name,
      deadLetterExchange: `${name}.dlx`,
      deadQueue: `${name}.dead`,
      retryQueuePrefix: `${name}.retry.`,
    };
    this.retry = resolveRetryOptions(options);
    this.logger = options.logger;
    this.reconnectInitialDelayMs = options.reconnectInitialDelayMs ?? 500;
    this.reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 30_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
  }

  async publish(message: JobMessage): Promise<void> {
    await this.send(this.names.queue, validateMessage(message));
  }

  async consume(
    handler: JobHandler,
    options: { prefetch: number },
  ): Promise<JobConsumer> {
    this.assertOpen();
    const prefetch = options.prefetch;
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new TypeError('prefetch must be an integer >= 1');
    }
    const consumer = new RabbitMqConsumer(this, handler, prefetch);
    this.consumers.add(consumer);
    const connection = this.connection;
    if (connection) {
      try {
        await consumer.attach(connection);
      } catch (error) {
        this.logger?.warn(`Job queue consumer could not start: ${error}`);
        this.reattach(consumer);
      }
    }
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.consumers.forEach(c => c.abandon());
    this.consumers.clear();
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (connection) {
      try {
        await connection.close();
      } catch {
        // already closed
      }
    }
  }

  /** Removes and returns the dead-lettered messages (for operators and tests). */
  async takeDead(): Promise<DeliveredJobMessage[]> {
    return this.withChannel(async channel => {
      const messages: DeliveredJobMessage[] = [];
      for (;;) {
        const message = await channel.get(this.names.deadQueue, {
          noAck: true,
        });
        if (!message) return messages;
        const parsed = parseBody(message.content);
        if (parsed) messages.push(parsed);
      }
    });
  }

  /** Deletes the queues and the exchange of this queue name from the broker (for tests). */
  async deleteTopology(): Promise<void> {
    const delays = new Set<number>();
    for (let attempt = 1; attempt < this.retry.maxAttempts; attempt++) {
      delays.add(retryDelayMs(attempt, this.retry));
    }
    await this.withChannel(async channel => {
      await channel.deleteQueue(this.names.queue);
      await channel.deleteQueue(this.names.deadQueue);
      for (const delay of delays) {
        await channel.deleteQueue(`${this.names.retryQueuePrefix}${delay}`);
      }
      await channel.deleteExchange(this.names.deadLetterExchange);
    });
  }

  /** @internal */
  get settings() {
    return { retry: this.retry, logger: this.logger, names: this.names };
  }

  /** @internal */
  isOpen() {
    return !this.closed;
  }

  /** Publishes a retry (attempt + 1) to the retry queue of its delay. @internal */
  async publishRetry(message: DeliveredJobMessage): Promise<void> {
    const next = { jobId: message.jobId, attempt: message.attempt + 1 };
    const delay = retryDelayMs(message.attempt, this.retry);
    if (delay <= 0) {
      await this.send(this.names.queue, next);
      return;
    }
    const retryQueue = `${this.names.retryQueuePrefix}${delay}`;
    await this.send(retryQueue, next, async channel => {
      await channel.assertQueue(retryQueue, {
        durable: true,
        arguments: {
          'x-message-ttl': delay,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': this.names.queue,
        },
      });
    });
  }

  /** Re-creates the channel of a consumer that lost it, with backoff. @internal */
  reattach(consumer: RabbitMqConsumer): void {
    void (async () => {
      let delay = this.reconnectInitialDelayMs;
      while (!this.closed && consumer.needsChannel()) {
        await sleep(delay);
        const connection = this.connection;
        if (!connection) return; // the reconnect attaches all consumers
        if (!consumer.needsChannel()) return;
        try {
          await consumer.attach(connection);
          return;
        } catch (error) {
          this.logger?.warn(`Job queue consumer reattach failed: ${error}`);
          delay = Math.min(delay * 2, this.reconnectMaxDelayMs);
        }
      }
    })();
  }

  private assertOpen() {
    if (this.closed) throw new Error('The job queue is closed');
  }

  private async connectOnce(): Promise<void> {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set(
        'heartbeat',
        String(this.options.heartbeatSeconds ?? 15),
      );
    }
    const connection = await connect(url.toString(), {
      clientProperties: { connection_name: `job-queue ${this.names.queue}` },
    });
    connection.on('error', error => {
      this.logger?.warn(`Job queue connection error: ${error}`);
    });
    connection.on('close', () => this.onConnectionLost(connection));
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      await this.assertTopology(channel);
      await channel.close();
    } catch (error) {
      connection.removeAllListeners('close');
      await connection.close().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await connection.close().catch(() => {});
      return;
    }
    this.connection = connection;
    this.publishChannel = undefined;
    for (const consumer of this.consumers) {
      try {
        await consumer.attach(connection);
      } catch (error) {
        this.logger?.warn(`Job queue consumer could not restart: ${error}`);
        this.reattach(consumer);
      }
    }
  }

  private async assertTopology(channel: Channel) {
    const { queue, deadLetterExchange, deadQueue } = this.names;
    await channel.assertExchange(deadLetterExchange, 'fanout', {
      durable: true,
    });
    await channel.assertQueue(deadQueue, { durable: true });
    await channel.bindQueue(deadQueue, deadLetterExchange, '');
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': deadLetterExchange },
    });
  }

  private onConnectionLost(connection: ChannelModel) {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.publishChannel = undefined;
    this.consumers.forEach(c => c.detach());
    if (this.closed) return;
    this.logger?.warn(
      'Job queue lost its connection to RabbitMQ; reconnecting',
    );
    void this.reconnect();
  }

  private async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let delay = this.reconnectInitialDelayMs;
    try {
      while (!this.closed && !this.connection) {
        await sleep(delay);
        if (this.closed) return;
        try {
          await this.connectOnce();
          this.logger?.info('Job queue reconnected to RabbitMQ');
        } catch (error) {
          this.logger?.warn(`Job queue reconnect failed: ${error}`);
          delay = Math.min(delay * 2, this.reconnectMaxDelayMs);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private async getPublishChannel(): Promise<ConfirmChannel> {
    const deadline = Date.now() + this.publishTimeoutMs;
    while (!this.connection) {
      this.assertOpen();
      if (Date.now() > deadline) {
        throw new Error('The job queue is not connected to RabbitMQ');
      }
      await sleep(50);
    }
    const connection = this.connection;
    if (!this.publishChannel) {
      const created = connection.createConfirmChannel().then(channel => {
        channel.on('error', error =>
          this.logger?.warn(`Job queue publish channel error: ${error}`),
        );
        channel.on('close', () => {
          if (this.publishChannel === created) this.publishChannel = undefined;
        });
        return channel;
      });
      created.catch(() => {
        if (this.publishChannel === created) this.publishChannel = undefined;
      });
      this.publishChannel = created;
    }
    return this.publishChannel;
  }

  /** Sends a persistent message and waits for the broker's confirm, retrying across reconnects. */
  private async send(
    queue: string,
    message: DeliveredJobMessage,
    prepare?: (channel: ConfirmChannel) => Promise<void>,
  ): Promise<void> {
    this.assertOpen();
    const deadline = Date.now() + this.publishTimeoutMs;
    const body = Buffer.from(JSON.stringify(message));
    for (;;) {
      try {
        const channel = await this.getPublishChannel();
        await prepare?.(channel);
        await new Promise<void>((resolve, reject) => {
          // A socket that died silently never confirms: give up at the deadline.
          const timer = setTimeout(
            () => reject(new Error('No publisher confirm from RabbitMQ')),
            Math.max(deadline - Date.now(), 1),
          );
          channel.sendToQueue(
            queue,
            body,
            {
              persistent: true,
              contentType: 'application/json',
              messageId: randomUUID(),
              headers: { 'x-attempt': message.attempt },
            },
            error => {
              clearTimeout(timer);
              if (error) reject(error);
              else resolve();
            },
          );
        });
        return;
      } catch (error) {
        this.assertOpen();
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  private async withChannel<T>(fn: (channel: Channel) => Promise<T>) {
    this.assertOpen();
    const connection = this.connection;
    if (!connection) throw new Error('The job queue is not connected');
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      return await fn(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }
}
