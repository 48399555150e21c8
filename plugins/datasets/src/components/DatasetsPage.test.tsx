import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  Dataset,
  DatasetsClient,
} from '@internal/backstage-plugin-datasets-common';
import { screen } from '@testing-library/react';
import { datasetsApiRef } from '../api';
import { DatasetsPage } from './DatasetsPage';

const mnist: Dataset = {
  id: '5b0c4c2e-1f4e-4d49-9a43-3d0c3f4a0b1e',
  name: 'mnist',
  owner: 'group:default/data-science',
  description: 'Handwritten digits',
  format: 'idx',
  latestVersion: 'f'.repeat(64),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

function fakeApi(datasets: Dataset[]) {
  return {
    listDatasets: async () => ({ items: datasets }),
    listConnections: async () => ({ items: [] }),
    getStatus: async () => ({
      pluginId: 'datasets',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'Object store writable',
          ok: false,
          message: 'Cannot use the object store at /data: EACCES',
        },
      ],
    }),
  } as unknown as DatasetsClient;
}

describe('DatasetsPage', () => {
  it('shows each dataset and the status checks', async () => {
    await renderInTestApp(<DatasetsPage />, {
      apis: [[datasetsApiRef, fakeApi([mnist])]],
    });

    expect(await screen.findByText('mnist')).toBeInTheDocument();
    expect(screen.getByText('group:default/data-science')).toBeInTheDocument();
    expect(screen.getByText('idx')).toBeInTheDocument();
    expect(screen.getByText('Handwritten digits')).toBeInTheDocument();
    expect(screen.getByText('ffffffffffff')).toBeInTheDocument();
    expect(
      await screen.findByText('Cannot use the object store at /data: EACCES'),
    ).toBeInTheDocument();
  });

  it('says so when there is no dataset', async () => {
    await renderInTestApp(<DatasetsPage />, {
      apis: [[datasetsApiRef, fakeApi([])]],
    });

    expect(await screen.findByText('No dataset yet.')).toBeInTheDocument();
    // The status card loads on its own.
    expect(
      await screen.findByText('Cannot use the object store at /data: EACCES'),
    ).toBeInTheDocument();
  });
});
