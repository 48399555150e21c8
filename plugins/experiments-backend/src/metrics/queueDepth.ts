import { ChannelModel, connect } from 'amqplib';
import { Knex } from 'knex';

/** Messages in the job queue: waiting for a worker, and dead-lettered. */
export type QueueMessages = { main: number; dead: number };

/** Reads how many messages the job queue holds. */
export interface QueueDepth {
  messages(): Promise<QueueMessages>;
  close(): Promise<void>;
}

/**
 * The depth of the RabbitMQ job queue as the broker reports it (queue.declare passive, the
 * message count of ready messages), over a connection of its own that is opened on the first read
 * and again after it is lost. Queue names follow RabbitMqJobQueue: `<name>` and `<name>.dead`.
 */
export class RabbitMqQueueDepth implements QueueDepth {
  private connection?: Promise<ChannelModel>;
  private closed = false;

  constructor(private readonly options: { url: string; queueName: string }) {}

  async messages(): Promise<QueueMessages> {
    const connection = await this.connect();
    const channel = await connection.createChannel();
    // A queue that is not declared yet closes the channel (404); the read then fails.
    channel.on('error', () => {});
    try {
      const main = await channel.checkQueue(this.options.queueName);
      const dead = await channel.checkQueue(`${this.options.queueName}.dead`);
      return { main: main.messageCount, dead: dead.messageCount };
    } finally {
      await channel.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await connection?.close().catch(() => {});
  }

  private connect(): Promise<ChannelModel> {
    if (this.closed) throw new Error('The queue depth reader is closed');
    if (!this.connection) {
      const url = new URL(this.options.url);
      if (!url.searchParams.has('heartbeat')) {
        url.searchParams.set('heartbeat', '15');
      }
      const connecting = connect(url.toString(), {
        clientProperties: {
          connection_name: `job-queue metrics ${this.options.queueName}`,
        },
      }).then(connection => {
        const forget = () => {
          if (this.connection === connecting) this.connection = undefined;
        };
        connection.on('error', forget);
        connection.on('close', forget);
        return connection;
      });
      connecting.catch(() => {
        if (this.connection === connecting) this.connection = undefined;
      });
      this.connection = connecting;
    }
    return this.connection;
  }
}

/**
 * The depth of the database job queue (DatabaseJobQueue's table `job_queue` in the plugin's
 * database): rows a worker may lease now, and dead-lettered rows.
 */
export class DatabaseQueueDepth implements QueueDepth {
  constructor(private readonly knex: Knex) {}

  async messages(): Promise<QueueMessages> {
    const now = Date.now();
    const [main] = await this.knex('job_queue')
      .where('dead', false)
      .andWhere('available_at', '<=', now)
      .andWhere(q =>
        q.whereNull('leased_until').orWhere('leased_until', '<=', now),
      )
      .count({ count: '*' });
    const [dead] = await this.knex('job_queue')
      .where('dead', true)
      .count({ count: '*' });
    return { main: Number(main?.count ?? 0), dead: Number(dead?.count ?? 0) };
  }

  async close(): Promise<void> {}
}
