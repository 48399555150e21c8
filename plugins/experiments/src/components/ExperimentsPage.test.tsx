import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  ExperimentsClient,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import { experimentsApiRef } from '../api';
import { ExperimentsPage } from './ExperimentsPage';
import { RecentJobsWidget } from './RecentJobsWidget';

const failed: TrainingJob = {
  id: '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
  name: 'mnist-cnn',
  owner: 'group:default/data-science',
  project: 'system:default/mnist',
  state: 'FAILED',
  reason: 'Ray job failed',
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:05:00.000Z',
};

function fakeApi(jobs: TrainingJob[]) {
  const listJobs = jest.fn(async (_limit?: number) => ({ items: jobs }));
  const api = {
    listJobs,
    getStatus: async () => ({
      pluginId: 'experiments',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'MLflow tracking server',
          ok: true,
          version: '3.17.2',
          message: 'MLflow 3.17.2 at http://127.0.0.1:5000 is healthy',
        },
      ],
    }),
  } as unknown as ExperimentsClient;
  return { api, listJobs };
}

describe('ExperimentsPage', () => {
  it('shows each job with its state and the MLflow status', async () => {
    const { api } = fakeApi([failed]);
    await renderInTestApp(<ExperimentsPage />, {
      apis: [[experimentsApiRef, api]],
    });

    expect(await screen.findByText('mnist-cnn')).toBeInTheDocument();
    expect(screen.getByText('FAILED: Ray job failed')).toBeInTheDocument();
    expect(screen.getByText('system:default/mnist')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'MLflow 3.17.2 at http://127.0.0.1:5000 is healthy',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('3.17.2')).toBeInTheDocument();
  });

  it('says so when there is no job yet', async () => {
    const { api } = fakeApi([]);
    await renderInTestApp(<ExperimentsPage />, {
      apis: [[experimentsApiRef, api]],
    });

    expect(
      await screen.findByText('No training runs yet.'),
    ).toBeInTheDocument();
  });
});

describe('RecentJobsWidget', () => {
  it('shows the five most recent jobs', async () => {
    const { api, listJobs } = fakeApi([failed]);
    await renderInTestApp(<RecentJobsWidget />, {
      apis: [[experimentsApiRef, api]],
    });

    expect(await screen.findByText('mnist-cnn')).toBeInTheDocument();
    expect(screen.queryByText('system:default/mnist')).not.toBeInTheDocument();
    expect(listJobs).toHaveBeenCalledWith(5);
  });
});
