import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  RayCluster,
  RayClustersClient,
} from '@internal/backstage-plugin-ray-clusters-common';
import { rayClustersApiRef } from '../api';
import { ClustersPage } from './ClustersPage';

const ready: RayCluster = {
  name: 'local',
  title: 'Local Ray',
  owner: 'group:default/data-science',
  driver: 'local',
  source: 'config',
  dashboardUrl: 'http://127.0.0.1:8265',
  state: 'ready',
  message: 'Ray 2.60.0: 1 node(s), 2 CPU, no GPU',
  rayVersion: '2.60.0',
  resources: {
    nodes: 1,
    cpus: 2,
    gpus: 1,
    gpuTypes: ['A100'],
    memoryBytes: 2 * 1024 ** 3,
    objectStoreBytes: 0,
  },
};

function fakeApi(clusters: RayCluster[], extra: object = {}) {
  return {
    ...extra,
    listClusters: async () => ({ items: [...clusters] }),
    getStatus: async () => ({
      pluginId: 'ray-clusters',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'Ray cluster Local Ray',
          ok: false,
          message: 'Ray at x refused the token',
        },
      ],
    }),
  } as unknown as RayClustersClient;
}

// userEvent and MUI dialogs are slow on a busy machine.
jest.setTimeout(30_000);

describe('ClustersPage', () => {
  it('shows each cluster with its resources and the connectivity checks', async () => {
    await renderInTestApp(<ClustersPage />, {
      apis: [[rayClustersApiRef, fakeApi([ready])]],
    });

    expect(await screen.findByText('Local Ray')).toBeInTheDocument();
    expect(screen.getByText('1 (A100)')).toBeInTheDocument();
    expect(screen.getByText('2.0 GiB')).toBeInTheDocument();
    expect(screen.getByText('Ray Dashboard').closest('a')).toHaveAttribute(
      'href',
      'http://127.0.0.1:8265',
    );
    expect(
      await screen.findByText('Ray at x refused the token'),
    ).toBeInTheDocument();
  });

  it('says so when the team has no cluster', async () => {
    await renderInTestApp(<ClustersPage />, {
      apis: [[rayClustersApiRef, fakeApi([])]],
    });

    expect(
      await screen.findByText('No Ray cluster is available to your team yet.'),
    ).toBeInTheDocument();
  });

  it('creates a local cluster from the dialog and shows it in the list', async () => {
    const clusters: RayCluster[] = [ready];
    const createCluster = jest.fn(async (request: { name: string }) => {
      const created: RayCluster = {
        ...ready,
        name: request.name,
        title: request.name,
        source: 'portal',
        state: 'starting',
        message: 'Starting',
      };
      clusters.push(created);
      return created;
    });
    await renderInTestApp(<ClustersPage />, {
      apis: [[rayClustersApiRef, fakeApi(clusters, { createCluster })]],
    });

    await userEvent.click(await screen.findByText('New cluster'));
    fireEvent.change(screen.getByLabelText(/Name/), {
      target: { value: 'team-a-small' },
    });
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Memory cap (GiB)'), {
      target: { value: '2' },
    });
    fireEvent.change(screen.getByLabelText(/Stop when idle/), {
      target: { value: '10' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(createCluster).toHaveBeenCalledWith({
      name: 'team-a-small',
      driver: 'local',
      cpus: 1,
      gpus: 0,
      memoryBytes: 2 * 1024 ** 3,
      idleTimeoutSeconds: 600,
    });
    expect(await screen.findByText('team-a-small')).toBeInTheDocument();
  });

  it("shows the backend's reason when a cluster cannot be created", async () => {
    const createCluster = jest.fn(async () => {
      throw new Error(
        'Quota exceeded: group:default/team-a may use 4 CPU in all its clusters',
      );
    });
    await renderInTestApp(<ClustersPage />, {
      apis: [[rayClustersApiRef, fakeApi([ready], { createCluster })]],
    });
    await userEvent.click(await screen.findByText('New cluster'));
    fireEvent.change(screen.getByLabelText(/Name/), {
      target: { value: 'too-big' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() =>
      expect(
        screen.getByText(
          'Quota exceeded: group:default/team-a may use 4 CPU in all its clusters',
        ),
      ).toBeInTheDocument(),
    );
  });
});
