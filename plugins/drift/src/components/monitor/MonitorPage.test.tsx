import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderDriftAt } from '../../__testUtils__/renderDrift';
import {
  aCheck,
  aDriftReport,
  aLabelledCheckWithReport,
  apiRefusal,
  aQuietCheck,
  DEPLOYMENT_ID,
  fakeDriftApi,
  MONITOR_ID,
  TINY_PNG,
} from '../../testing/fixtures';

const PATH = `/drift/monitors/${MONITOR_ID}`;

describe('MonitorPage', () => {
  it('shows what the monitor watches and the report of the latest check', async () => {
    const { api, mocks } = fakeDriftApi();
    await renderDriftAt(PATH, api);

    expect(
      await screen.findByRole('heading', { name: 'mnist-prod-drift' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'mnist-prod' })).toHaveAttribute(
      'href',
      `/serving/deployments/${DEPLOYMENT_ID}`,
    );
    expect(screen.getByText('last 500 requests')).toBeInTheDocument();
    expect(screen.getByText('every 30 min')).toBeInTheDocument();
    expect(screen.getByText('α = 0.05')).toBeInTheDocument();

    expect(
      await screen.findByText(
        'Drift detected: 4 of 10 tests (class probabilities, input statistics) rejected at α/10 = 0.005.',
      ),
    ).toBeInTheDocument();
    expect(mocks.getCheck).toHaveBeenCalledWith(MONITOR_ID, 'check-2');
    expect(
      screen.getByText(
        'The shares of the predicted classes shifted too (χ² test, p = 3.2e-7).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Accuracy: estimated 71 % (reference 98 %)'),
    ).toBeInTheDocument();

    const pValues = screen.getByRole('figure', {
      name: 'p-values of the tests',
    });
    expect(pValues.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(
      10,
    );
    expect(within(pValues).getByText('threshold 0.005')).toBeInTheDocument();
    const predicted = screen.getByRole('figure', { name: 'Predicted classes' });
    expect(within(predicted).getByText('reference')).toBeInTheDocument();
    expect(within(predicted).getByText('window')).toBeInTheDocument();
    // One histogram per drifted test, none for the others.
    for (const digit of [3, 5, 7, 8]) {
      expect(
        screen.getByRole('figure', {
          name: `Distribution of p(class ${digit})`,
        }),
      ).toBeInTheDocument();
    }
    expect(
      screen.queryByRole('figure', { name: 'Distribution of p(class 0)' }),
    ).not.toBeInTheDocument();

    const sample = screen.getByAltText(
      'Input of request req-17, predicted 3 at 41 % confidence',
    );
    expect(sample).toHaveAttribute('src', TINY_PNG);
    expect(sample).toHaveStyle({ imageRendering: 'pixelated' });

    const history = screen.getByRole('figure', { name: 'Drift history' });
    // Two finished checks, each a point on both lines.
    expect(history.querySelectorAll('circle')).toHaveLength(4);
    // No labelled input: nothing said about the real accuracy.
    expect(
      within(history).queryByText('real accuracy'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/real \d+ %/)).not.toBeInTheDocument();
  });

  it('shows the real accuracy of the checks whose window had labelled inputs', async () => {
    const { api } = fakeDriftApi({
      listChecks: jest.fn(async () => ({
        items: [aCheck({ realAccuracy: 0.69 }), aQuietCheck()],
      })),
      getCheck: jest.fn(async () => aLabelledCheckWithReport()),
    });
    await renderDriftAt(PATH, api);

    expect(
      await screen.findByText(
        'Accuracy: estimated 71 % · real 69 % on 100 labelled inputs (reference 98 %)',
      ),
    ).toBeInTheDocument();

    const table = screen
      .getByText('Checks')
      .closest('div[class*="Paper"]') as HTMLElement;
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(header => header.textContent);
    const real = headers.indexOf('Real acc.');
    expect(real).toBeGreaterThan(headers.indexOf('Est. acc.'));
    const cellsOf = (text: string) =>
      within(within(table).getByText(text).closest('tr') as HTMLElement)
        .getAllByRole('cell')
        .map(cell => cell.textContent);
    expect(cellsOf('user:default/ada')[real]).toBe('69 %');
    expect(cellsOf('the schedule')[real]).toBe('—');

    const history = screen.getByRole('figure', { name: 'Drift history' });
    expect(
      within(history).getByText(
        'Drift score, estimated and real accuracy per check',
      ),
    ).toBeInTheDocument();
    expect(within(history).getByText('real accuracy')).toBeInTheDocument();
    // Both checks on the drift score and estimated accuracy lines, only the labelled one on the
    // real accuracy line.
    expect(history.querySelectorAll('circle')).toHaveLength(5);
  });

  it("shows an older check's report when its row is clicked", async () => {
    const { api, mocks } = fakeDriftApi();
    await renderDriftAt(PATH, api);
    await screen.findByText(/^Drift detected/);

    const checks = screen.getByText('Checks').closest('div[class*="Paper"]');
    await userEvent.click(
      within(checks as HTMLElement).getByText('the schedule'),
    );

    expect(
      await screen.findByText(
        'No drift: none of the 10 tests (class probabilities, input statistics) rejected at α/10 = 0.005.',
      ),
    ).toBeInTheDocument();
    expect(mocks.getCheck).toHaveBeenLastCalledWith(MONITOR_ID, 'check-1');
    expect(
      screen.queryByRole('figure', { name: 'Least confident inputs' }),
    ).not.toBeInTheDocument();
  });

  it('shows the report of a check picked on the history chart', async () => {
    const { api, mocks } = fakeDriftApi();
    await renderDriftAt(PATH, api);
    await screen.findByText(/^Drift detected/);

    const history = screen.getByRole('figure', { name: 'Drift history' });
    // Oldest first: the first point of the drift score line is the quiet check.
    await userEvent.click(history.querySelectorAll('circle')[0]);

    expect(await screen.findByText(/^No drift: none of/)).toBeInTheDocument();
    expect(mocks.getCheck).toHaveBeenLastCalledWith(MONITOR_ID, 'check-1');
  });

  it('says why a check failed', async () => {
    const failed = aCheck({
      status: 'FAILED',
      verdict: undefined,
      driftScore: undefined,
      estimatedAccuracy: undefined,
      message: 'Model mnist-cnn v3 has no drift reference in MLflow',
    });
    const { api } = fakeDriftApi({
      listChecks: jest.fn(async () => ({ items: [failed] })),
      getCheck: jest.fn(async () => failed),
    });
    await renderDriftAt(PATH, api);

    expect(await screen.findByText('The check failed')).toBeInTheDocument();
    expect(
      screen.getByText('Model mnist-cnn v3 has no drift reference in MLflow'),
    ).toBeInTheDocument();
  });

  it('runs a check now and follows it until it has finished', async () => {
    const started = aCheck({
      id: 'check-3',
      status: 'RUNNING',
      startedAt: '2026-12-04T11:00:00.000Z',
      finishedAt: undefined,
      verdict: undefined,
      driftScore: undefined,
      estimatedAccuracy: undefined,
    });
    const finished = aCheck({
      ...started,
      status: 'SUCCEEDED',
      finishedAt: '2026-12-04T11:00:30.000Z',
      verdict: 'NOT_ENOUGH_DATA',
      instances: 12,
      report: aDriftReport({
        verdict: 'NOT_ENOUGH_DATA',
        window: { requests: 12, instances: 12 },
        tests: [],
        prediction: null,
        driftedSamples: [],
      }),
    });
    let reads = 0;
    const { api, mocks } = fakeDriftApi({
      runCheck: jest.fn(async () => started),
      getCheck: jest.fn(async (_monitorId: string, checkId: string) => {
        if (checkId !== 'check-3') return aCheck({ report: aDriftReport() });
        reads += 1;
        return reads === 1 ? started : finished;
      }),
    });
    await renderDriftAt(PATH, api);
    await screen.findByText(/^Drift detected/);
    mocks.listChecks.mockResolvedValue({
      items: [finished, aCheck(), aQuietCheck()],
    });

    await userEvent.click(
      screen.getByRole('button', { name: 'Run check now' }),
    );

    expect(mocks.runCheck).toHaveBeenCalledWith(MONITOR_ID);
    expect(
      await screen.findByRole('progressbar', {
        name: 'Drift check in progress',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('checking 500 requests…')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Run check now' }),
    ).toBeDisabled();

    expect(
      await screen.findByText(
        'Not enough data: 12 inputs in the window, need 30.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('progressbar', { name: 'Drift check in progress' }),
    ).not.toBeInTheDocument();
    // Read every 2 s: still running, then finished with its report (not read a third time).
    expect(mocks.getCheck).toHaveBeenCalledWith(MONITOR_ID, 'check-3');
    expect(reads).toBe(2);
    expect(mocks.listChecks).toHaveBeenCalledTimes(3);
    expect(screen.getByRole('button', { name: 'Run check now' })).toBeEnabled();
  });

  it('says so when a check is already running', async () => {
    const { api, mocks } = fakeDriftApi();
    mocks.runCheck.mockRejectedValue(
      await apiRefusal(409, 'A check of this monitor is already running'),
    );
    await renderDriftAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Run check now' }),
    );

    expect(
      await screen.findByText('A check of this monitor is already running'),
    ).toBeInTheDocument();
  });

  it('deletes the monitor only after confirmation', async () => {
    const { api, mocks } = fakeDriftApi();
    await renderDriftAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete monitor' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(mocks.deleteMonitor).not.toHaveBeenCalled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, delete' }),
    );

    await waitFor(() =>
      expect(mocks.deleteMonitor).toHaveBeenCalledWith(MONITOR_ID),
    );
    expect(await screen.findByText('Drift monitors')).toBeInTheDocument();
  });
});
