import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  Charts,
  MonitoringClient,
} from '@internal/backstage-plugin-monitoring-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { homeMonitoringApiRef } from './monitoringApi';
import { PlatformHealthWidget } from './PlatformHealthWidget';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

function platformCharts(): Charts {
  const points = (values: number[]) =>
    values.map((v, i) => ({ t: T0 + i * 60_000, v }));
  return {
    start: new Date(T0),
    end: new Date(T0 + 3_600_000),
    stepSeconds: 60,
    charts: [
      {
        id: 'jobs',
        title: 'Training jobs',
        unit: 'count',
        series: [
          { name: 'running', points: points([1, 2, 2, 1]) },
          { name: 'queued', points: points([0, 3, 1, 0]) },
        ],
      },
      {
        id: 'inference-rate',
        title: 'Inference requests',
        unit: 'perSecond',
        series: [{ name: '2xx', points: points([0.5, 1.5, 2, 1]) }],
      },
      {
        id: 'queue-age',
        title: 'Oldest queued job',
        unit: 'seconds',
        series: [],
      },
    ],
  };
}

function render(getPlatformCharts: jest.Mock) {
  const api = { getPlatformCharts } as unknown as MonitoringClient;
  return renderInTestApp(<PlatformHealthWidget />, {
    apis: [[homeMonitoringApiRef, api]],
  });
}

describe('PlatformHealthWidget', () => {
  it("charts the platform's jobs and traffic over the chosen time range", async () => {
    const getPlatformCharts = jest.fn(async () => platformCharts());
    await render(getPlatformCharts);

    const jobs = await screen.findByRole('figure', { name: 'Training jobs' });
    expect(getPlatformCharts).toHaveBeenCalledWith('1h');
    expect(within(jobs).getByText('running')).toBeInTheDocument();
    expect(within(jobs).getByText('queued')).toBeInTheDocument();
    const rate = screen.getByRole('figure', { name: 'Inference requests' });
    expect(within(rate).getByText('2xx')).toBeInTheDocument();
    expect(within(rate).getByText('2/s')).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('figure', { name: 'Oldest queued job' }),
      ).getByText(/Prometheus has no samples of this in the time range yet/),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Time range' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 15 minutes' }),
    );
    await waitFor(() => expect(getPlatformCharts).toHaveBeenCalledWith('15m'));
  });

  it('says why there are no charts when Prometheus does not answer', async () => {
    await render(
      jest.fn(async () => {
        throw new Error('Prometheus is unreachable: connect ECONNREFUSED');
      }),
    );
    expect(
      await screen.findByText(
        'Charts are not available: Prometheus is unreachable: connect ECONNREFUSED',
      ),
    ).toBeInTheDocument();
  });
});
