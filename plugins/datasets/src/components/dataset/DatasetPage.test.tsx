import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  Dataset,
  DatasetsClient,
  DatasetVersion,
  FilePreview,
  FileStatistics,
} from '@internal/backstage-plugin-datasets-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { datasetsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { DatasetsRoutes } from '../DatasetsRoutes';

jest.setTimeout(60_000);

// Rendering the whole test app takes seconds on a busy machine.
const slow = { timeout: 15_000 };

const V1 = 'a'.repeat(64);
const V2 = 'b'.repeat(64);

const mnist: Dataset = {
  id: 'mnist-id',
  name: 'mnist',
  owner: 'group:default/data-science',
  description: 'Handwritten digits',
  format: 'idx',
  latestVersion: V2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

const version: DatasetVersion = {
  datasetId: 'mnist-id',
  version: V2,
  parentVersion: V1,
  fileCount: 2,
  totalBytes: 47100024,
  message: 'register sample',
  createdBy: 'portal',
  createdAt: '2026-01-02T00:00:00.000Z',
  files: [
    {
      path: 'train-images-idx3-ubyte',
      key: 'k1',
      size: 47040016,
      sha256: 'c'.repeat(64),
    },
    {
      path: 'train-labels-idx1-ubyte',
      key: 'k2',
      size: 60008,
      sha256: 'd'.repeat(64),
    },
  ],
};

const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

function fakeApi() {
  const calls: string[] = [];
  const api = {
    getDataset: async () => mnist,
    listVersions: async () => ({
      items: [
        { ...version, files: undefined },
        {
          ...version,
          version: V1,
          parentVersion: undefined,
          message: 'upload train-images-idx3-ubyte',
        },
      ],
    }),
    getVersion: async (_id: string, v: string) => {
      calls.push(`version ${v}`);
      return version;
    },
    getPreview: async (
      _id: string,
      _v: string,
      path: string,
    ): Promise<FilePreview> => {
      calls.push(`preview ${path}`);
      return {
        kind: 'images',
        width: 28,
        height: 28,
        images: [
          { index: 0, label: 5, dataUrl: PIXEL },
          { index: 1, label: 0, dataUrl: PIXEL },
        ],
      };
    },
    getStatistics: async (): Promise<FileStatistics> => ({
      kind: 'idx',
      dimensions: [60000],
      classCounts: [
        { label: 0, count: 5923 },
        { label: 1, count: 6742 },
      ],
    }),
    uploadUrl: async () => 'http://localhost/upload',
    listConnections: async () => ({ items: [] }),
  } as unknown as DatasetsClient;
  return { api, calls };
}

describe('DatasetPage', () => {
  it('shows versions, a digit grid with labels and the class balance chart', async () => {
    const { api, calls } = fakeApi();
    await renderInTestApp(<DatasetsRoutes />, {
      apis: [[datasetsApiRef, api]],
      mountPath: '/datasets',
      mountedRoutes: { '/datasets': rootRouteRef },
      initialRouteEntries: ['/datasets/mnist-id'],
    });

    expect(
      await screen.findByText('mnist', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.getByText(/Handwritten digits/)).toBeInTheDocument();
    expect(screen.getByText('register sample')).toBeInTheDocument();
    expect(
      screen.getByText('upload train-images-idx3-ubyte'),
    ).toBeInTheDocument();
    expect(screen.getAllByText(V2.slice(0, 12)).length).toBeGreaterThan(0);

    expect(
      await screen.findByAltText('record 0, label 5', undefined, slow),
    ).toHaveAttribute('src', PIXEL);
    expect(screen.getByAltText('record 1, label 0')).toBeInTheDocument();
    expect(calls).toContain(`version ${V2}`);
    expect(calls).toContain('preview train-images-idx3-ubyte');

    expect(
      await screen.findByText(/Shape 60000/, undefined, slow),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'Class balance' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: /Choose a file/ }),
    ).toBeInTheDocument();
  });

  it('previews another file when one is chosen', async () => {
    const { api, calls } = fakeApi();
    await renderInTestApp(<DatasetsRoutes />, {
      apis: [[datasetsApiRef, api]],
      mountPath: '/datasets',
      mountedRoutes: { '/datasets': rootRouteRef },
      initialRouteEntries: ['/datasets/mnist-id'],
    });
    await screen.findByAltText('record 0, label 5', undefined, slow);
    await userEvent.click(
      screen.getByRole('button', { name: /train-images-idx3-ubyte/ }),
    );
    const listbox = await screen.findByRole('listbox', undefined, slow);
    await userEvent.click(within(listbox).getByText(/train-labels-idx1-ubyte/));

    await screen.findByText(
      'Preview of train-labels-idx1-ubyte',
      undefined,
      slow,
    );
    expect(calls).toContain('preview train-labels-idx1-ubyte');
  });
});
