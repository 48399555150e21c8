import { RabbitMqJobQueue } from '@internal/backstage-plugin-experiments-node';
import {
  holdTestBrokerLock,
  requireTestService,
  TestMetrics,
} from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../__testUtils__/testBackend';
import { ExperimentsMetrics } from './ExperimentsMetrics';
import { RabbitMqQueueDepth } from './queueDepth';

// A real RabbitMQ broker, started by the test command.
const rabbitUrl = requireTestService('MLOPS_TEST_RABBITMQ_URL');
holdTestBrokerLock(rabbitUrl); // BrokerRestart.rabbitmq.test.ts restarts the broker

jest.setTimeout(30_000);

describe('job queue depth on RabbitMQ', () => {
  it('reports the messages waiting in the queue and the dead-lettered ones', async () => {
    const queueName = `experiments.test.${randomUUID()}`;
    const metrics = new TestMetrics();
    const depth = new RabbitMqQueueDepth({ url: rabbitUrl, queueName });
    new ExperimentsMetrics(metrics.forPlugin('experiments')).observe({
      templateIds: () => [],
      countJobs: async () => [],
      oldestQueuedJob: async () => undefined,
      queueDepth: depth,
    });
    const messages = (queue: 'main' | 'dead') =>
      metrics.value('mlops_job_queue_messages', { queue });

    // Before the job queue declared its queues there is nothing to read, and no series.
    await expect(depth.messages()).rejects.toThrow(/NOT_FOUND/);
    expect(await messages('main')).toBeUndefined();

    const queue = await RabbitMqJobQueue.create({
      url: rabbitUrl,
      queueName,
      maxAttempts: 1,
    });
    try {
      await queue.publish({ jobId: 'to-dead-letter' });
      const consumer = await queue.consume(async () => 'dead', {
        prefetch: 1,
      });
      await waitFor('the dead-lettered message', async () =>
        (await depth.messages()).dead === 1 ? true : undefined,
      );
      await consumer.stop();
      for (const jobId of ['a', 'b', 'c']) {
        await queue.publish({ jobId });
      }

      expect(await messages('main')).toBe(3);
      expect(await messages('dead')).toBe(1);
    } finally {
      await depth.close();
      await queue.deleteTopology();
      await queue.close();
      await metrics.shutdown();
    }
  });
});
