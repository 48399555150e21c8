import { ResolvedJobConfig } from '@internal/backstage-plugin-experiments-common';
import { randomUUID } from 'node:crypto';
import { StoredJob } from '../database/DatabaseJobStore';

/** A resolved config as a submission would store it (for tests). */
export const testJobConfig: ResolvedJobConfig = {
  template: { id: 'mnist-cnn', version: '1.0.0' },
  dataset: { id: 'mnist', version: 'sha256:abc', format: 'idx' },
  hyperparameters: { epochs: 2 },
  seed: 7,
  resources: { numWorkers: 1, cpusPerWorker: 1, useGpu: false },
  cluster: 'local',
  runtimeVersion: '0.1.0',
  modelName: 'mnist-cnn-team-a',
};

/** A stored job (for tests). */
export function testJob(
  name: string,
  owner: string,
  createdAt: string,
  extra: Partial<StoredJob> = {},
): StoredJob {
  return {
    id: randomUUID(),
    name,
    owner,
    state: 'QUEUED',
    attempts: 0,
    createdAt,
    updatedAt: createdAt,
    config: testJobConfig,
    ...extra,
  };
}
