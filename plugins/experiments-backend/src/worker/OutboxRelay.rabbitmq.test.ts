import { TestDatabases } from '@backstage/backend-test-utils';
import { RabbitMqJobQueue } from '@internal/backstage-plugin-experiments-node';
import {
  closedPortUrl,
  holdTestBrokerLock,
  requireTestService,
} from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import { createServer, connect, Server } from 'node:net';
import request from 'supertest';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';

// A real MLflow server and RabbitMQ broker, started by the test command.
const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const rabbitUrl = new URL(requireTestService('MLOPS_TEST_RABBITMQ_URL'));

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
holdTestBrokerLock(rabbitUrl.toString()); // BrokerRestart.rabbitmq.test.ts restarts the broker

/** Forwards a local port to the broker: "the broker comes back" at that address. */
async function startBrokerProxy(port: number): Promise<Server> {
  const server = createServer(client => {
    const upstream = connect(
      Number(rabbitUrl.port || 5672),
      rabbitUrl.hostname,
    );
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('job outbox with RabbitMQ', () => {
  it('accepts jobs while the broker is down, and publishes them when it is back', async () => {
    const port = Number(new URL(await closedPortUrl()).port);
    const downUrl = new URL(rabbitUrl.toString());
    downUrl.hostname = '127.0.0.1';
    downUrl.port = String(port);
    const queueName = `experiments.test.${randomUUID()}`;
    const knex = await databases.init('SQLITE_3');
    const { backend, server, store } = await startExperimentsBackend({
      knex,
      trackingUrl: mlflowUrl,
      experiments: {
        worker: { enabled: false },
        queue: {
          driver: 'rabbitmq',
          rabbitmq: { url: downUrl.toString(), queueName },
        },
      },
    });
    let proxy: Server | undefined;
    let reader: RabbitMqJobQueue | undefined;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await request(server)
          .post('/api/experiments/jobs')
          .send({ templateId: 'mnist-cnn', datasetId: 'mnist' })
          .expect(201);
        expect(res.body.state).toBe('QUEUED');
        ids.push(res.body.id);
      }
      // The relay has tried and failed: the jobs wait in the outbox.
      await new Promise(r => setTimeout(r, 1500));
      expect(await store.listOutbox()).toEqual(ids);

      proxy = await startBrokerProxy(port);
      await waitFor(
        'the outbox to empty',
        async () => (await store.listOutbox()).length === 0,
      );

      reader = await RabbitMqJobQueue.create({
        url: rabbitUrl.toString(),
        queueName,
      });
      const received: string[] = [];
      const consumer = await reader.consume(
        async message => {
          received.push(message.jobId);
          return 'ack';
        },
        { prefetch: 10 },
      );
      await waitFor('the jobs on the queue', async () => received.length >= 3);
      await consumer.stop();
      expect([...received].sort()).toEqual([...ids].sort());
      for (const id of ids) {
        expect((await store.getJob(id))!.state).toBe('QUEUED');
      }
    } finally {
      await backend.stop();
      await reader?.deleteTopology().catch(() => {});
      await reader?.close();
      await new Promise(r => (proxy ? proxy.close(r) : r(undefined)));
    }
  }, 30_000);
});
