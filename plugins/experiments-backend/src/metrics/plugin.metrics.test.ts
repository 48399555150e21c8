import { TestDatabases } from '@backstage/backend-test-utils';
import {
  closedPortUrl,
  RecordedHistogram,
  TestMetrics,
} from '@internal/mlops-node';
import request from 'supertest';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';

// The backend also starts the datasets plugin, which hashes the MNIST sample on startup.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('experiments plugin metrics', () => {
  it('are served through the MetricsService as jobs are submitted, queued and cancelled', async () => {
    const metrics = new TestMetrics();
    const { backend, server } = await startExperimentsBackend({
      knex: await databases.init('SQLITE_3'),
      // Submitting and cancelling a queued job need neither MLflow nor Ray.
      trackingUrl: await closedPortUrl(),
      mlflowCredentials: null,
      experiments: { worker: { enabled: false } },
      metrics,
    });
    try {
      const submitted = await request(server)
        .post('/api/experiments/jobs')
        .send({ templateId: 'mnist-cnn', datasetId: 'mnist' })
        .expect(201);

      expect(
        await metrics.value('mlops_training_jobs', {
          state: 'QUEUED',
          template: 'mnist-cnn',
        }),
      ).toBe(1);
      // The outbox relay puts the job on the queue (the database driver's table).
      await waitFor('the job on the queue', async () =>
        (await metrics.value('mlops_job_queue_messages', { queue: 'main' })) ===
        1
          ? true
          : undefined,
      );
      expect(
        await metrics.value('mlops_job_queue_oldest_message_age_seconds'),
      ).toBeGreaterThanOrEqual(0);

      await request(server)
        .post(`/api/experiments/jobs/${submitted.body.id}/cancel`)
        .expect(200);
      const duration = (await metrics.value(
        'mlops_training_job_duration_seconds',
        { template: 'mnist-cnn', state: 'CANCELLED' },
      )) as RecordedHistogram;
      expect(duration.count).toBe(1);
      expect(
        await metrics.value('mlops_training_jobs', {
          state: 'QUEUED',
          template: 'mnist-cnn',
        }),
      ).toBe(0);
      expect(
        await metrics.value('mlops_job_queue_oldest_message_age_seconds'),
      ).toBe(0);
    } finally {
      await backend.stop();
      await metrics.shutdown();
    }
  });
});
