import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  Charts,
  MonitoringClient,
} from '@internal/backstage-plugin-monitoring-common';
import {
  RayClusterDetails,
  RayClustersClient,
} from '@internal/backstage-plugin-ray-clusters-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rayClustersApiRef, rayClustersMonitoringApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { ClustersRoutes } from '../ClustersRoutes';

const GIB = 1024 ** 3;

const cluster: RayClusterDetails = {
  name: 'team-a-small',
  title: 'Team A small',
  owner: 'group:default/team-a',
  driver: 'local',
  source: 'portal',
  dashboardUrl: 'http://127.0.0.1:41234',
  state: 'ready',
  message: 'Ray 2.60.0: 2 node(s), 4 CPU, 1 GPU (A100)',
  rayVersion: '2.60.0',
  spec: { cpus: 4, gpus: 1, idleTimeoutSeconds: 600 },
  resources: {
    nodes: 2,
    cpus: 4,
    gpus: 1,
    gpuTypes: ['A100'],
    memoryBytes: 8 * GIB,
    objectStoreBytes: GIB,
    usage: {
      cpus: { used: 3, total: 4 },
      gpus: { used: 0, total: 1 },
      memoryBytes: { used: 2 * GIB, total: 8 * GIB },
      objectStoreBytes: { used: 0, total: GIB },
    },
  },
  nodes: [
    {
      nodeId: 'aaaaaaaaaaaaaaaaaaaa',
      ip: '127.0.0.1',
      isHead: true,
      state: 'ALIVE',
      cpus: 2,
      gpus: 0,
      memoryBytes: 4 * GIB,
      objectStoreBytes: GIB / 2,
    },
    {
      nodeId: 'bbbbbbbbbbbbbbbbbbbb',
      ip: '127.0.0.2',
      isHead: false,
      state: 'ALIVE',
      cpus: 2,
      gpus: 1,
      gpuType: 'A100',
      memoryBytes: 4 * GIB,
      objectStoreBytes: GIB / 2,
    },
  ],
  jobs: [
    {
      submissionId: 'job-42',
      status: 'RUNNING',
      entrypoint: 'python -m mlops_runtime.train',
      startTime: Date.parse('2026-11-27T10:00:00Z'),
    },
  ],
};

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

function utilisation(): Charts {
  const points = (values: number[]) =>
    values.map((v, i) => ({ t: T0 + i * 60_000, v }));
  return {
    start: new Date(T0),
    end: new Date(T0 + 3_600_000),
    stepSeconds: 60,
    charts: [
      {
        id: 'cpu',
        title: 'CPU use',
        unit: 'percent',
        series: [{ name: 'all nodes', points: points([10, 55, 90, 60]) }],
      },
      {
        id: 'memory',
        title: 'Memory',
        unit: 'bytes',
        series: [
          { name: 'used', points: points([2, 3, 4, 3].map(g => g * GIB)) },
          { name: 'total', points: points([8, 8, 8, 8].map(g => g * GIB)) },
        ],
      },
      { id: 'gpu', title: 'GPU use', unit: 'percent', series: [] },
    ],
  };
}

function fakeMonitoring(getClusterCharts = jest.fn(async () => utilisation())) {
  return {
    getClusterCharts,
    getJobCharts: jest.fn(),
    getPlatformCharts: jest.fn(),
  };
}

function render(
  api: Partial<RayClustersClient>,
  monitoring: ReturnType<typeof fakeMonitoring> = fakeMonitoring(),
) {
  return renderInTestApp(<ClustersRoutes />, {
    apis: [
      [rayClustersApiRef, api as RayClustersClient],
      [rayClustersMonitoringApiRef, monitoring as unknown as MonitoringClient],
    ],
    mountPath: '/ray-clusters',
    mountedRoutes: { '/ray-clusters': rootRouteRef },
    initialRouteEntries: ['/ray-clusters/team-a-small'],
  });
}

// userEvent and MUI dialogs are slow on a busy machine.
jest.setTimeout(30_000);

describe('ClusterPage', () => {
  it('shows resources with usage, nodes, running jobs and the Ray Dashboard link', async () => {
    const getCluster = jest.fn(async () => cluster);
    await render({ getCluster });

    expect(await screen.findByText('Team A small')).toBeInTheDocument();
    expect(getCluster).toHaveBeenCalledWith('team-a-small');
    expect(screen.getByText('CPUs: 3 of 4 in use')).toBeInTheDocument();
    expect(screen.getByText('GPUs (A100): 0 of 1 in use')).toBeInTheDocument();
    expect(
      screen.getByText('Memory: 2.0 GiB of 8.0 GiB in use'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'CPUs usage' }),
    ).toHaveAttribute('aria-valuenow', '75');
    expect(screen.getByText('head')).toBeInTheDocument();
    expect(screen.getByText('1 (A100)')).toBeInTheDocument();
    expect(screen.getByText('job-42')).toBeInTheDocument();
    expect(screen.getByText('RUNNING')).toBeInTheDocument();
    expect(screen.getByText('Ray Dashboard').closest('a')).toHaveAttribute(
      'href',
      'http://127.0.0.1:41234',
    );
  });

  it('scales the cluster to the new size', async () => {
    const scaleCluster = jest.fn(async () => cluster);
    await render({ getCluster: async () => cluster, scaleCluster });

    await userEvent.click(await screen.findByRole('button', { name: 'Scale' }));
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('GPUs'), { target: { value: '0' } });
    const dialog = screen.getByRole('dialog');
    await userEvent.click(
      Array.from(dialog.querySelectorAll('button')).find(
        b => b.textContent === 'Scale',
      )!,
    );

    expect(scaleCluster).toHaveBeenCalledWith('team-a-small', {
      cpus: 2,
      gpus: 0,
    });
  });

  it('deletes only after confirmation and goes back to the list', async () => {
    const deleteCluster = jest.fn(async () => ({
      name: 'team-a-small',
      deleted: true as const,
    }));
    await render({
      getCluster: async () => cluster,
      deleteCluster,
      listClusters: async () => ({ items: [] }),
      getStatus: async () => ({
        pluginId: 'ray-clusters',
        checkedAt: new Date().toISOString(),
        dependencies: [],
      }),
    });

    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete' }),
    );
    expect(
      screen.getByText(
        'The cluster stops and its running jobs end. This cannot be undone.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(deleteCluster).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(
      Array.from(dialog.querySelectorAll('button')).find(
        b => b.textContent === 'Delete',
      )!,
    );
    expect(deleteCluster).toHaveBeenCalledWith('team-a-small');
    await waitFor(() =>
      expect(
        screen.getByText('No Ray cluster is available to your team yet.'),
      ).toBeInTheDocument(),
    );
  });

  it('offers no scale or delete for a cluster defined in app-config', async () => {
    await render({
      getCluster: async () => ({ ...cluster, source: 'config' }),
    });
    expect(await screen.findByText('Team A small')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Scale' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });
});

describe('ClusterPage utilisation', () => {
  it("charts the cluster's CPU and memory over the chosen time range", async () => {
    const monitoring = fakeMonitoring();
    await render({ getCluster: async () => cluster }, monitoring);

    const cpu = await screen.findByRole('figure', { name: 'CPU use' });
    expect(monitoring.getClusterCharts).toHaveBeenCalledWith(
      'team-a-small',
      '1h',
    );
    expect(within(cpu).getByText('all nodes')).toBeInTheDocument();
    expect(within(cpu).getByText('100 %')).toBeInTheDocument();
    const memory = screen.getByRole('figure', { name: 'Memory' });
    expect(within(memory).getByText('used')).toBeInTheDocument();
    expect(within(memory).getByText('total')).toBeInTheDocument();
    // Axis ticks in GiB, e.g. "8.2 GiB" (recharts picks round decimal numbers).
    expect(within(memory).getAllByText(/^\d+\.\d GiB$/).length).toBeGreaterThan(
      1,
    );
    expect(
      within(screen.getByRole('figure', { name: 'GPU use' })).getByText(
        /Prometheus has no samples of this cluster/,
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Time range' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 6 hours' }),
    );
    await waitFor(() =>
      expect(monitoring.getClusterCharts).toHaveBeenCalledWith(
        'team-a-small',
        '6h',
      ),
    );
  });

  it('says why there are no charts when monitoring is not configured', async () => {
    await render(
      { getCluster: async () => cluster },
      fakeMonitoring(
        jest.fn(async () => {
          throw new Error(
            'Monitoring is not configured: set mlops.monitoring.prometheus.baseUrl',
          );
        }),
      ),
    );
    expect(
      await screen.findByText(
        'Charts are not available: Monitoring is not configured: set mlops.monitoring.prometheus.baseUrl',
      ),
    ).toBeInTheDocument();
    // The rest of the page still shows.
    expect(screen.getByText('CPUs: 3 of 4 in use')).toBeInTheDocument();
  });
});
