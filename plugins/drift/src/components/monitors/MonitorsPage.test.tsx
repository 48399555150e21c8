import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderDriftAt } from '../../__testUtils__/renderDrift';
import {
  aCheck,
  aDeployment,
  aMonitor,
  apiRefusal,
  DEPLOYMENT_ID,
  fakeDriftApi,
  fakeServingApi,
  MONITOR_ID,
} from '../../testing/fixtures';

describe('MonitorsPage', () => {
  it('lists each monitor with its deployment, window, schedule and last check', async () => {
    const { api } = fakeDriftApi({
      listMonitors: jest.fn(async () => ({
        items: [
          aMonitor(),
          aMonitor({
            id: 'm2',
            name: 'fraud-drift',
            deploymentName: 'fraud-scorer',
            modelName: 'fraud-gbm',
            window: { lastMinutes: 60 },
            intervalMinutes: undefined,
            lastCheck: aCheck({
              verdict: 'NO_DRIFT',
              estimatedAccuracy: 0.97,
              realAccuracy: 0.95,
            }),
          }),
          aMonitor({
            id: 'm3',
            name: 'churn-drift',
            lastCheck: aCheck({
              status: 'RUNNING',
              verdict: undefined,
              finishedAt: undefined,
              estimatedAccuracy: undefined,
            }),
          }),
          aMonitor({
            id: 'm4',
            name: 'iris-drift',
            lastCheck: aCheck({
              status: 'FAILED',
              verdict: undefined,
              estimatedAccuracy: undefined,
              message: 'MLflow unreachable: http://mlflow:5000',
            }),
          }),
          aMonitor({ id: 'm5', name: 'new-drift', lastCheck: undefined }),
        ],
      })),
    });
    await renderDriftAt('/drift', api);

    const drifted = (await screen.findByText('mnist-prod-drift')).closest(
      'tr',
    ) as HTMLElement;
    expect(
      within(drifted).getByRole('link', { name: 'mnist-prod-drift' }),
    ).toHaveAttribute('href', `/drift/monitors/${MONITOR_ID}`);
    expect(within(drifted).getByText('mnist-prod')).toBeInTheDocument();
    expect(within(drifted).getByText('mnist-cnn')).toBeInTheDocument();
    expect(within(drifted).getByText('last 500 requests')).toBeInTheDocument();
    expect(within(drifted).getByText('every 30 min')).toBeInTheDocument();
    expect(within(drifted).getByText('Drift')).toBeInTheDocument();
    expect(within(drifted).getByText('71 %')).toBeInTheDocument();
    // No labelled input in its window: no real accuracy.
    expect(within(drifted).getByText('—')).toBeInTheDocument();

    const quiet = screen.getByText('fraud-drift').closest('tr') as HTMLElement;
    expect(within(quiet).getByText('last 60 minutes')).toBeInTheDocument();
    expect(within(quiet).getByText('on demand')).toBeInTheDocument();
    expect(within(quiet).getByText('No drift')).toBeInTheDocument();
    expect(within(quiet).getByText('97 %')).toBeInTheDocument();
    expect(within(quiet).getByText('95 %')).toBeInTheDocument();

    const running = screen
      .getByText('churn-drift')
      .closest('tr') as HTMLElement;
    expect(within(running).getByText('Running')).toBeInTheDocument();
    expect(
      within(running).getByRole('progressbar', { name: 'check in progress' }),
    ).toBeInTheDocument();

    const failed = screen.getByText('iris-drift').closest('tr') as HTMLElement;
    await userEvent.hover(within(failed).getByText('Failed'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'MLflow unreachable: http://mlflow:5000',
    );

    const unchecked = screen
      .getByText('new-drift')
      .closest('tr') as HTMLElement;
    expect(within(unchecked).getByText('never')).toBeInTheDocument();
  });

  it('explains what a drift monitor is when there is none', async () => {
    const { api } = fakeDriftApi({
      listMonitors: jest.fn(async () => ({ items: [] })),
    });
    await renderDriftAt('/drift', api);

    expect(
      await screen.findByText('No drift monitor yet.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/the model must be deployed on the Serving page first/),
    ).toBeInTheDocument();
  });
});

describe('New monitor', () => {
  async function openDialog() {
    const fake = fakeDriftApi({
      listMonitors: jest.fn(async () => ({ items: [] })),
    });
    const serving = fakeServingApi([
      aDeployment(),
      aDeployment({ id: 'other', name: 'fraud-scorer' }),
    ]);
    await renderDriftAt('/drift', fake.api, serving.api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'New monitor' }),
    );
    return { ...fake, dialog: await screen.findByRole('dialog') };
  }

  async function pickDeployment(dialog: HTMLElement, name: RegExp) {
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Deployment/ }),
    );
    await userEvent.click(await screen.findByRole('option', { name }));
  }

  it('sends nothing until a deployment is picked', async () => {
    const { dialog, mocks } = await openDialog();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );

    expect(within(dialog).getByText('Pick a deployment')).toBeInTheDocument();
    expect(mocks.createMonitor).not.toHaveBeenCalled();
  });

  it('creates a scheduled monitor over the last minutes and opens it', async () => {
    const { dialog, mocks } = await openDialog();
    await pickDeployment(dialog, /mnist-prod/);
    expect(within(dialog).getByLabelText('Monitor name')).toHaveValue(
      'mnist-prod-drift',
    );
    await userEvent.click(
      within(dialog).getByLabelText('The requests of the last N minutes'),
    );
    await userEvent.clear(within(dialog).getByLabelText('Minutes'));
    await userEvent.type(within(dialog).getByLabelText('Minutes'), '60');
    await userEvent.click(within(dialog).getByLabelText('Every N minutes'));
    await userEvent.clear(within(dialog).getByLabelText('Interval (minutes)'));
    await userEvent.type(
      within(dialog).getByLabelText('Interval (minutes)'),
      '15',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Advanced settings' }),
    );
    await userEvent.clear(
      within(dialog).getByLabelText('Significance level (α)'),
    );
    await userEvent.type(
      within(dialog).getByLabelText('Significance level (α)'),
      '0.01',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );

    await waitFor(() =>
      expect(mocks.createMonitor).toHaveBeenCalledWith({
        name: 'mnist-prod-drift',
        deploymentId: DEPLOYMENT_ID,
        window: { lastMinutes: 60 },
        intervalMinutes: 15,
        alpha: 0.01,
      }),
    );
    expect(
      await screen.findByRole('heading', { name: 'mnist-prod-drift' }),
    ).toBeInTheDocument();
    expect(mocks.getMonitor).toHaveBeenCalledWith(MONITOR_ID);
  });

  it("shows the backend's refusal in the dialog", async () => {
    const { dialog, mocks } = await openDialog();
    mocks.createMonitor.mockRejectedValue(
      await apiRefusal(
        400,
        'The portal does not log inference requests: set mlops.serving.inferenceLog',
      ),
    );
    await pickDeployment(dialog, /fraud-scorer/);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );

    expect(
      await within(dialog).findByText(
        'The portal does not log inference requests: set mlops.serving.inferenceLog',
      ),
    ).toBeInTheDocument();
    expect(mocks.createMonitor).toHaveBeenCalledWith({
      name: 'fraud-scorer-drift',
      deploymentId: 'other',
      window: { lastRequests: 500 },
      alpha: 0.05,
    });
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });
});
