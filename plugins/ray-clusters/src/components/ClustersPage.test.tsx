import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
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

function fakeApi(clusters: RayCluster[]) {
  return {
    listClusters: async () => ({ items: clusters }),
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
});
