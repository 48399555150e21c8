import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { holdTestBrokerLock } from '@internal/mlops-node';
import { DeliveredJobMessage, JobRetryOptions } from './types';
import { RabbitMqJobQueue } from './RabbitMqJobQueue';
import { runJobQueueContract, waitFor } from './JobQueue.contract';

// The broker always runs on these machines.
const url =
  process.env.MLOPS_TEST_RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672';

jest.setTimeout(60_000);
holdTestBrokerLock(url); // BrokerRestart.rabbitmq.test.ts restarts the broker

const fast: JobRetryOptions = {
  maxAttempts: 3,
  initialBackoffMs: 100,
  maxBackoffMs: 150,
};

function makeFixture() {
  const queueName = `test.jobs.${randomUUID()}`;
  const queues: RabbitMqJobQueue[] = [];
  const dead: DeliveredJobMessage[] = [];
  let retryOptions: JobRetryOptions = fast;
  return {
    queueName,
    async createQueue(options: JobRetryOptions) {
      retryOptions = options;
      const queue = await RabbitMqJobQueue.create({
        url,
        queueName,
        reconnectInitialDelayMs: 50,
        reconnectMaxDelayMs: 500,
        publishTimeoutMs: 5_000,
        ...options,
      });
      queues.push(queue);
      return queue;
    },
    async deadJobs() {
      const reader = queues[0];
      if (!reader) return [];
      dead.push(...(await reader.takeDead()));
      return [...dead];
    },
    async cleanup() {
      // A fresh queue object deletes them: the others may be closed already.
      const cleaner = await RabbitMqJobQueue.create({
        url,
        queueName,
        ...retryOptions,
      });
      await Promise.all(queues.map(q => q.close()));
      await cleaner.deleteTopology();
      await cleaner.close();
    },
  };
}

describe('RabbitMqJobQueue', () => {
  runJobQueueContract(async () => makeFixture());

  it('reconnects after the connection is lost and keeps consuming', async () => {
    const fixture = makeFixture();
    try {
      const queue = await fixture.createQueue(fast);
      const seen: string[] = [];
      const consumer = await queue.consume(
        async m => {
          seen.push(m.jobId);
          return 'ack';
        },
        { prefetch: 2 },
      );
      await queue.publish({ jobId: 'before' });
      await waitFor(() => seen.length === 1);

      // Cut the socket underneath, as a network failure or broker restart would.
      const internals = queue as unknown as {
        connection: {
          connection: { stream: { destroy(error?: Error): void } };
        };
      };
      const lost = internals.connection;
      internals.connection.connection.stream.destroy(
        new Error('simulated network failure'),
      );

      await queue.publish({ jobId: 'after' }); // waits for the reconnect
      await waitFor(() => seen.includes('after'), 10_000, 'consuming again');
      expect(internals.connection).toBeDefined();
      expect(internals.connection).not.toBe(lost);
      await consumer.stop();
      // At least once: 'before' comes back when the socket dies before its ack went out.
      expect([...new Set(seen)].sort()).toEqual(['after', 'before']);
    } finally {
      await fixture.cleanup();
    }
  });

  it('declares durable queues and a dead-letter exchange', async () => {
    const fixture = makeFixture();
    const connection = await connect(url);
    try {
      const queue = await fixture.createQueue(fast);
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const main = await channel.checkQueue(queue.names.queue);
      expect(main.queue).toBe(fixture.queueName);
      await channel.checkQueue(queue.names.deadQueue);
      await channel.checkExchange(queue.names.deadLetterExchange);
      // A redeclaration with other arguments fails: the queue is durable with a DLX.
      await expect(
        channel.assertQueue(queue.names.queue, { durable: false }),
      ).rejects.toThrow(/PRECONDITION_FAILED/);
    } finally {
      await connection.close().catch(() => {});
      await fixture.cleanup();
    }
  });
});
