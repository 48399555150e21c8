import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import {
  aJob,
  fakeExperimentsApi,
  fakeMonitoringApi,
  series,
} from '../../testing/fixtures';
import { renderExperimentsAt } from '../../__testUtils__/renderExperiments';

function renderJobPage(
  api: ReturnType<typeof fakeExperimentsApi>['api'],
  monitoringApi = fakeMonitoringApi().api,
) {
  return renderExperimentsAt(
    '/experiments/jobs/0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
    api,
    monitoringApi,
  );
}

describe('JobPage', () => {
  it('shows a failed job with its reason, config and links; cancel is disabled', async () => {
    const { api, mocks } = fakeExperimentsApi({
      getJob: jest.fn(async () =>
        aJob({
          state: 'FAILED',
          reason: 'worker ran out of memory',
          finishedAt: '2026-11-27T10:02:00.000Z',
        }),
      ),
    });
    await renderJobPage(api);

    expect(
      await screen.findByRole('heading', { name: 'mnist-cnn' }),
    ).toBeInTheDocument();
    expect(mocks.getJob).toHaveBeenCalledWith(
      '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
    );
    const banner = screen.getByRole('alert');
    expect(within(banner).getByText('Training failed')).toBeInTheDocument();
    expect(
      within(banner).getByText('worker ran out of memory'),
    ).toBeInTheDocument();
    expect(screen.getByText('FAILED')).toBeInTheDocument();
    expect(screen.getByText('mnist-cnn 1.0.0')).toBeInTheDocument();
    expect(screen.getByText('mnist sha256:abc123 (idx)')).toBeInTheDocument();
    expect(screen.getByText(/learning_rate/)).toBeInTheDocument();
    expect(screen.getByText('0.001')).toBeInTheDocument();
    expect(screen.getByText('42')).toBeInTheDocument();
    expect(screen.getByText('0.3.0')).toBeInTheDocument();
    expect(screen.getByText('local')).toBeInTheDocument();
    expect(screen.getByText('MLflow run').closest('a')).toHaveAttribute(
      'href',
      'http://127.0.0.1:5000/#/experiments/1/runs/r1',
    );
    // MLflow asks for its own sign-in: the link says so.
    expect(
      screen.getByTitle(/MLflow asks for its own sign-in/),
    ).toContainElement(screen.getByText('MLflow run').closest('a'));
    expect(screen.getByText('Ray Dashboard').closest('a')).toHaveAttribute(
      'href',
      'http://127.0.0.1:8265/#/jobs/raysubmit_1',
    );
    expect(screen.getByRole('button', { name: 'Cancel run' })).toBeDisabled();
    expect(screen.queryByText('Deploy')).toBeNull();
  });

  it('shows the registered model version of a succeeded job', async () => {
    const { api } = fakeExperimentsApi({
      getJob: jest.fn(async () =>
        aJob({
          state: 'SUCCEEDED',
          finishedAt: '2026-11-27T10:02:00.000Z',
          registeredModel: { name: 'mnist-cnn', version: '4' },
        }),
      ),
    });
    await renderJobPage(api);
    expect(
      await screen.findByText('Registered as model mnist-cnn version 4.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Deploy').closest('a')).toHaveAttribute(
      'href',
      '/serving?deploy=mnist-cnn&version=4',
    );
  });

  it('names the custom model version a job trained', async () => {
    const job = aJob();
    const { api } = fakeExperimentsApi({
      getJob: jest.fn(async () => ({
        ...job,
        config: {
          ...job.config,
          template: { id: 'custom:tiny-mlp@2', version: '2' },
          customModel: {
            name: 'tiny-mlp',
            version: 2,
            sha256: 'ab'.repeat(32),
          },
        },
      })),
    });
    await renderJobPage(api);
    expect(
      await screen.findByText(
        'tiny-mlp version 2 (source sha256 abababababab…)',
      ),
    ).toBeInTheDocument();
  });

  it('cancels a running job after confirmation', async () => {
    const { api, mocks } = fakeExperimentsApi({
      getJob: jest
        .fn()
        .mockResolvedValueOnce(aJob({ state: 'RUNNING' }))
        .mockResolvedValue(aJob({ state: 'CANCELLING' })),
    });
    await renderJobPage(api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel run' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Cancel training run?'),
    ).toBeInTheDocument();
    expect(mocks.cancelJob).not.toHaveBeenCalled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, cancel it' }),
    );

    await waitFor(() =>
      expect(mocks.cancelJob).toHaveBeenCalledWith(
        '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
      ),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(await screen.findByText('CANCELLING')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cancel run' })).toBeDisabled();
  });

  it('charts the loss and accuracy curves from the metrics', async () => {
    const { api, mocks } = fakeExperimentsApi({
      getJobMetrics: jest.fn(async () => ({
        items: [
          series('train_loss', [0.35, 0.08]),
          series('test_loss', [0.06, 0.04]),
          series('train_accuracy', [0.9, 0.975]),
          series('test_accuracy', [0.981, 0.988]),
          series('epoch_seconds', [31, 30]),
          {
            key: 'final_test_accuracy',
            points: [{ step: 0, value: 0.9886, timestamp: 3 }],
          },
        ],
      })),
    });
    await renderJobPage(api);

    const loss = await screen.findByRole('figure', { name: 'Loss' });
    const accuracy = screen.getByRole('figure', { name: 'Accuracy' });
    expect(mocks.getJobMetrics).toHaveBeenCalled();
    expect(within(loss).getByText('train loss')).toBeInTheDocument();
    expect(within(loss).getByText('test loss')).toBeInTheDocument();
    expect(within(accuracy).getByText('test accuracy')).toBeInTheDocument();
    // one dot per epoch on each of the two lines
    expect(loss.querySelectorAll('.recharts-line-dot')).toHaveLength(4);
    expect(screen.getByText('epoch 2 of 2')).toBeInTheDocument();
    expect(
      screen.getByText('Test accuracy of the final model: 98.86%'),
    ).toBeInTheDocument();
  });

  it('says when there are no metrics yet', async () => {
    const { api } = fakeExperimentsApi({
      getJob: jest.fn(async () => aJob({ state: 'QUEUED' })),
    });
    await renderJobPage(api);
    expect(await screen.findByText('No metrics yet')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'The log starts when a worker submits the run to Ray.',
      ),
    ).toBeInTheDocument();
  });

  it('follows the log from the last offset', async () => {
    const getJobLogs = jest
      .fn()
      .mockResolvedValueOnce({ text: 'epoch 1 loss 0.35\n', nextOffset: 18 })
      .mockResolvedValue({ text: '', nextOffset: 18 });
    const { api } = fakeExperimentsApi({ getJobLogs });
    await renderJobPage(api);

    // the second read comes after LOG_POLL_MS
    await waitFor(() => expect(getJobLogs).toHaveBeenCalledTimes(2));
    expect(getJobLogs).toHaveBeenNthCalledWith(
      1,
      '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
      0,
    );
    expect(getJobLogs).toHaveBeenNthCalledWith(
      2,
      '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
      18,
    );
    expect(screen.getByTestId('job-log')).toBeInTheDocument();
  });

  it('shows why the job could not be loaded', async () => {
    const { api } = fakeExperimentsApi({
      getJob: jest.fn(async () => {
        throw new Error('job 0b6f… not found');
      }),
    });
    await renderJobPage(api);
    expect(await screen.findAllByText(/not found/)).not.toHaveLength(0);
  });
});

describe('JobPage cluster resources', () => {
  it("charts the job's cluster over the run, asked for by the job's id", async () => {
    const monitoring = fakeMonitoringApi();
    await renderJobPage(fakeExperimentsApi().api, monitoring.api);

    const card = await screen.findByText('Cluster resources during this run');
    expect(card).toBeInTheDocument();
    const cpu = await screen.findByRole('figure', { name: 'CPU use' });
    expect(monitoring.mocks.getJobCharts).toHaveBeenCalledWith(
      '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
    );
    expect(within(cpu).getByText('all nodes')).toBeInTheDocument();
    expect(within(cpu).getByText('100 %')).toBeInTheDocument();
    const memory = screen.getByRole('figure', { name: 'Memory' });
    expect(within(memory).getByText('used')).toBeInTheDocument();
    expect(within(memory).getByText('2.0 GiB')).toBeInTheDocument();
    expect(
      within(screen.getByRole('figure', { name: 'GPU use' })).getByText(
        /No samples yet/,
      ),
    ).toBeInTheDocument();
    // The run has its own range; it refreshes while it runs.
    expect(screen.queryByRole('button', { name: 'Time range' })).toBeNull();
    expect(
      screen.getByRole('checkbox', { name: 'Auto-refresh' }),
    ).toBeChecked();
  });

  it('says why there are no charts when the monitoring backend cannot read Prometheus', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'ServiceUnavailableError',
            message: 'Prometheus is unreachable: fetch failed',
          },
          request: { method: 'GET', url: '/jobs/x/charts' },
          response: { statusCode: 503 },
        }),
        { status: 503, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const monitoring = fakeMonitoringApi({
      getJobCharts: jest.fn(async () => {
        throw error;
      }),
    });
    await renderJobPage(fakeExperimentsApi().api, monitoring.api);
    expect(
      await screen.findByText(
        'Charts are not available: Prometheus is unreachable: fetch failed',
      ),
    ).toBeInTheDocument();
  });

  it('says that a queued run has no charts until it starts', async () => {
    const monitoring = fakeMonitoringApi({
      getJobCharts: jest.fn(async () => ({
        start: new Date('2026-11-27T10:00:00.000Z'),
        end: new Date('2026-11-27T10:00:00.000Z'),
        stepSeconds: 15,
        charts: [],
      })),
    });
    await renderJobPage(
      fakeExperimentsApi({
        getJob: jest.fn(async () =>
          aJob({ state: 'QUEUED', startedAt: undefined }),
        ),
      }).api,
      monitoring.api,
    );
    expect(
      await screen.findByText(
        'The run has not started yet: the charts begin when it does.',
      ),
    ).toBeInTheDocument();
  });

  it('reads an ended run once, with no auto-refresh', async () => {
    const monitoring = fakeMonitoringApi();
    await renderJobPage(
      fakeExperimentsApi({
        getJob: jest.fn(async () =>
          aJob({ state: 'SUCCEEDED', finishedAt: '2026-11-27T10:02:00.000Z' }),
        ),
      }).api,
      monitoring.api,
    );
    await screen.findByRole('figure', { name: 'CPU use' });
    expect(screen.queryByRole('checkbox', { name: 'Auto-refresh' })).toBeNull();
    expect(monitoring.mocks.getJobCharts).toHaveBeenCalledTimes(1);
  });
});
