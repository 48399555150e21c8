import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/test-utils';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChartSet } from '../charts/chartTypes';
import { ChartsCard } from './ChartsCard';

const GIB = 1024 ** 3;
const T0 = Date.parse('2026-11-27T10:00:00Z');

function someCharts(): ChartSet {
  return {
    start: '2026-11-27T10:00:00.000Z',
    end: '2026-11-27T10:01:00.000Z',
    stepSeconds: 15,
    charts: [
      {
        id: 'cpu',
        title: 'CPU use',
        unit: 'percent',
        series: [
          {
            name: 'all nodes',
            points: [
              { t: T0, v: 40 },
              { t: T0 + 15_000, v: 42 },
            ],
          },
        ],
      },
      {
        id: 'memory',
        title: 'Memory',
        unit: 'bytes',
        series: [
          {
            name: 'used',
            points: [
              { t: T0, v: 2 * GIB },
              { t: T0 + 15_000, v: 2 * GIB },
            ],
          },
        ],
      },
      { id: 'gpu', title: 'GPU use', unit: 'percent', series: [] },
    ],
  };
}

describe('ChartsCard', () => {
  it('draws each chart with its series and values in its unit', async () => {
    const load = jest.fn(async () => someCharts());
    await renderInTestApp(<ChartsCard title="Utilisation" load={load} />);

    const cpu = await screen.findByRole('figure', { name: 'CPU use' });
    expect(within(cpu).getByText('all nodes')).toBeInTheDocument();
    // A percentage's axis reaches 100 % however low the values.
    expect(within(cpu).getByText('100 %')).toBeInTheDocument();
    const memory = screen.getByRole('figure', { name: 'Memory' });
    expect(within(memory).getByText('used')).toBeInTheDocument();
    expect(within(memory).getByText('2.0 GiB')).toBeInTheDocument();
    expect(
      within(screen.getByRole('figure', { name: 'GPU use' })).getByText(
        'Prometheus has no samples for this time range yet.',
      ),
    ).toBeInTheDocument();
    expect(load).toHaveBeenCalledWith('1h');
  });

  it('reads again for the time range picked', async () => {
    const load = jest.fn(async () => someCharts());
    await renderInTestApp(<ChartsCard title="Utilisation" load={load} />);
    await screen.findByRole('figure', { name: 'CPU use' });

    await userEvent.click(screen.getByRole('button', { name: 'Time range' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 24 hours' }),
    );
    await waitFor(() => expect(load).toHaveBeenCalledWith('24h'));
  });

  it('says what the backend said when there are no charts', async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'ServiceUnavailableError',
          message: 'Prometheus is unreachable: fetch failed',
        },
        request: { method: 'GET', url: '/platform/charts' },
        response: { statusCode: 503 },
      }),
      { status: 503, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    await renderInTestApp(
      <ChartsCard
        title="Utilisation"
        load={async () => {
          throw error;
        }}
      />,
    );
    expect(
      await screen.findByText(
        'Charts are not available: Prometheus is unreachable: fetch failed',
      ),
    ).toBeInTheDocument();
  });

  it('has no range picker or switch for a fixed range read once, and shows the range', async () => {
    const load = jest.fn(async () => someCharts());
    await renderInTestApp(
      <ChartsCard
        title="During the run"
        load={load}
        fixedRange
        refreshMs={null}
        emptyText="The run has not started."
      />,
    );
    expect(
      await screen.findByText('The run has not started.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/^From .* to .*/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Time range' })).toBeNull();
    expect(screen.queryByText('Auto-refresh')).toBeNull();
  });

  it('reads again every refreshMs until auto-refresh is switched off', async () => {
    jest.useFakeTimers();
    try {
      const load = jest.fn(async () => someCharts());
      await renderInTestApp(
        <ChartsCard title="Utilisation" load={load} refreshMs={1000} />,
      );
      await screen.findByRole('figure', { name: 'CPU use' });
      expect(load).toHaveBeenCalledTimes(1);
      act(() => jest.advanceTimersByTime(1000));
      await waitFor(() => expect(load).toHaveBeenCalledTimes(2));

      fireEvent.click(screen.getByRole('checkbox', { name: 'Auto-refresh' }));
      act(() => jest.advanceTimersByTime(5000));
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('says why when no charts came at all', async () => {
    await renderInTestApp(
      <ChartsCard
        title="During the run"
        load={async () => ({ charts: [] })}
        emptyText="The run has not started yet."
      />,
    );
    expect(
      await screen.findByText('The run has not started yet.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('figure')).toBeNull();
  });

  it('draws no card of its own when bare, the controls still there', async () => {
    await renderInTestApp(
      <ChartsCard
        title="Platform health"
        load={async () => someCharts()}
        bare
      />,
    );
    const section = await screen.findByRole('region', {
      name: 'Platform health',
    });
    expect(
      await within(section).findByRole('figure', { name: 'CPU use' }),
    ).toBeInTheDocument();
    expect(
      within(section).getByRole('button', { name: 'Time range' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Platform health')).toBeNull();
  });
});
