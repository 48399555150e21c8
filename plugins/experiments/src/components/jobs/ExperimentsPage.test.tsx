import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { experimentsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { aJob, fakeExperimentsApi, series } from '../../testing/fixtures';
import { ExperimentsPage } from './ExperimentsPage';
import { RecentJobsWidget } from './RecentJobsWidget';

const failed = aJob({
  id: 'job-failed',
  name: 'failed-run',
  state: 'FAILED',
  reason: 'dataset not found',
  finishedAt: '2026-11-27T10:03:35.000Z',
});
const running = aJob({ id: 'job-running', name: 'running-run' });

describe('ExperimentsPage', () => {
  it('lists jobs with state, reason, duration, progress and links', async () => {
    const { api, mocks } = fakeExperimentsApi({
      listJobs: jest.fn(async () => ({ items: [running, failed] })),
      getJobMetrics: jest.fn(async () => ({
        items: [series('train_loss', [0.3])],
      })),
    });
    await renderInTestApp(<ExperimentsPage />, {
      apis: [[experimentsApiRef, api]],
      mountedRoutes: { '/experiments': rootRouteRef },
    });

    expect(await screen.findByText('failed-run')).toBeInTheDocument();
    expect(screen.getByText('FAILED')).toBeInTheDocument();
    expect(screen.getByText('dataset not found')).toBeInTheDocument();
    expect(screen.getByText('3m 05s')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'running-run' })).toHaveAttribute(
      'href',
      '/experiments/jobs/job-running',
    );
    expect(await screen.findByText('epoch 1 of 2')).toBeInTheDocument();
    expect(mocks.getJobMetrics).toHaveBeenCalledWith('job-running');
    expect(mocks.getJobMetrics).not.toHaveBeenCalledWith('job-failed');
    expect(screen.getByText('New training run').closest('a')).toHaveAttribute(
      'href',
      '/experiments/new',
    );
    expect(
      await screen.findByText(
        'MLflow 3.17.2 at http://127.0.0.1:5000 is healthy',
      ),
    ).toBeInTheDocument();
  });

  it('says so when there is no job yet', async () => {
    const { api } = fakeExperimentsApi();
    await renderInTestApp(<ExperimentsPage />, {
      apis: [[experimentsApiRef, api]],
      mountedRoutes: { '/experiments': rootRouteRef },
    });
    expect(
      await screen.findByText('No training runs yet.'),
    ).toBeInTheDocument();
  });

  it('shows the error when the jobs cannot be listed', async () => {
    const { api } = fakeExperimentsApi({
      listJobs: jest.fn(async () => {
        throw new Error('experiments backend unreachable');
      }),
    });
    await renderInTestApp(<ExperimentsPage />, {
      apis: [[experimentsApiRef, api]],
      mountedRoutes: { '/experiments': rootRouteRef },
    });
    expect(
      await screen.findAllByText(/experiments backend unreachable/),
    ).not.toHaveLength(0);
  });
});

describe('RecentJobsWidget', () => {
  it('shows the five most recent jobs', async () => {
    const { api, mocks } = fakeExperimentsApi({
      listJobs: jest.fn(async () => ({ items: [failed] })),
    });
    await renderInTestApp(<RecentJobsWidget />, {
      apis: [[experimentsApiRef, api]],
    });

    expect(await screen.findByText('failed-run')).toBeInTheDocument();
    expect(screen.queryByText('system:default/mnist')).not.toBeInTheDocument();
    expect(mocks.listJobs).toHaveBeenCalledWith(5);
  });
});
