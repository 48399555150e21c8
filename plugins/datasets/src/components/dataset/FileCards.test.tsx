import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DatasetsClient,
  FilePreview,
  FileStatistics,
} from '@internal/backstage-plugin-datasets-common';
import { screen } from '@testing-library/react';
import { datasetsApiRef } from '../../api';
import { FilePreviewCard } from './FilePreviewCard';
import { FileStatisticsCard } from './FileStatisticsCard';

jest.setTimeout(60_000);

const slow = { timeout: 15_000 };

const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

function apiReturning(preview: FilePreview, statistics: FileStatistics) {
  return {
    getPreview: async () => preview,
    getStatistics: async () => statistics,
  } as unknown as DatasetsClient;
}

async function renderCards(preview: FilePreview, statistics: FileStatistics) {
  await renderInTestApp(
    <>
      <FilePreviewCard datasetId="d" version="v" path="f" />
      <FileStatisticsCard datasetId="d" version="v" path="f" />
    </>,
    { apis: [[datasetsApiRef, apiReturning(preview, statistics)]] },
  );
}

describe('file preview and statistics cards', () => {
  it('show an image folder as a grid labelled with classes and its class balance', async () => {
    await renderCards(
      {
        kind: 'images',
        width: 0,
        height: 0,
        caption: '2 classes (cats, dogs)',
        images: [
          { index: 0, label: 'cats', dataUrl: PIXEL },
          { index: 1, label: 'dogs', dataUrl: PIXEL },
        ],
      },
      {
        kind: 'imageFolder',
        root: 'pets',
        imageCount: 5,
        classCounts: [
          { label: 'cats', count: 3 },
          { label: 'dogs', count: 2 },
        ],
      },
    );
    expect(
      await screen.findByAltText('record 1, label dogs', undefined, slow),
    ).toHaveAttribute('height', '96');
    expect(screen.getByText('2 classes (cats, dogs)')).toBeInTheDocument();
    expect(
      await screen.findByText(/5 images in 2 classes under pets\//),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'Images per class' }),
    ).toBeInTheDocument();
  });

  it('show the arrays of an .npz file as tables and its label balance', async () => {
    await renderCards(
      {
        kind: 'tables',
        tables: [
          {
            name: 'features (3×2 <f4)',
            columns: ['index', '0', '1'],
            rows: [['0', '1.5', '2']],
          },
          {
            name: 'y (3 <i8)',
            columns: ['index', 'y'],
            rows: [['0', '7']],
          },
        ],
      },
      {
        kind: 'npz',
        arrays: [
          {
            name: 'features',
            dtype: '<f4',
            shape: [3, 2],
            fortranOrder: false,
          },
          { name: 'y', dtype: '<i8', shape: [3], fortranOrder: true },
        ],
        labels: {
          array: 'y',
          classCounts: [
            { label: 7, count: 2 },
            { label: 8, count: 1 },
          ],
        },
      },
    );
    expect(
      await screen.findByText('features (3×2 <f4)', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.getByText('y (3 <i8)')).toBeInTheDocument();
    expect(screen.getByText('1.5')).toBeInTheDocument();
    expect(await screen.findByText(/2 arrays/)).toBeInTheDocument();
    expect(screen.getByText(/\(Fortran order\)/)).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'Class balance of y' }),
    ).toBeInTheDocument();
  });
});
