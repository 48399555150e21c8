import { InputError } from '@backstage/errors';
import {
  ResolvedJobConfig,
  TrainingResources,
} from '@internal/backstage-plugin-experiments-common';
import { TooManyRequestsError } from '@internal/mlops-node';
import { JobLimits } from '../config';
import { RayClusters } from './RayClusters';

/** Ray counts fractional resources in steps of 0.0001. */
const RAY_RESOURCE_STEP = 1e-4;

function roundToRayStep(value: number) {
  return Math.round(value / RAY_RESOURCE_STEP) * RAY_RESOURCE_STEP;
}

/** Problems of resources no cluster could schedule: below the minimum, or finer than Ray counts. */
export function resourceProblems(
  resources: TrainingResources,
  limits: Pick<JobLimits, 'minCpusPerWorker'>,
): string[] {
  const cpus = resources.cpusPerWorker;
  if (cpus < limits.minCpusPerWorker) {
    return [
      `resources.cpusPerWorker: ${cpus} is below the minimum of ${limits.minCpusPerWorker} CPUs per worker`,
    ];
  }
  if (Math.abs(roundToRayStep(cpus) - cpus) > 1e-9) {
    return [
      `resources.cpusPerWorker: ${cpus} has more than 4 decimal places; Ray counts CPUs in steps of 0.0001`,
    ];
  }
  return [];
}

/**
 * Refuses (400) a job that cannot fit its cluster, saying what the cluster has and what fits: a
 * GPU job on a cluster that can never have a GPU, and on a fixed-size cluster (local, external)
 * more CPUs or GPUs than it has. A cluster that is stopped or unreachable now is not judged: the
 * worker waits for it.
 */
export async function checkClusterFits(
  clusters: RayClusters,
  config: ResolvedJobConfig,
  entrypointNumCpus: number,
): Promise<void> {
  const { cluster, resources } = config;
  const info = await clusters.describe(cluster);
  if (resources.useGpu && info.state !== 'unreachable' && info.maxGpus === 0) {
    throw new InputError(
      `cluster ${cluster} has no GPU and cannot scale to one; set resources.useGpu to false or choose a cluster with GPUs`,
    );
  }
  const total = info.resources;
  if (!total || info.state !== 'ready' || !clusters.isFixedSize(cluster)) {
    return;
  }
  const { numWorkers, cpusPerWorker } = resources;
  const has = `Ray cluster "${cluster}" has ${total.cpus} CPUs, ${
    total.gpus
  } GPUs and ${(total.memoryBytes / 2 ** 30).toFixed(1)} GiB of memory`;
  const neededCpus = roundToRayStep(
    numWorkers * cpusPerWorker + entrypointNumCpus,
  );
  if (neededCpus > total.cpus) {
    const fitting = Math.floor(
      roundToRayStep((total.cpus - entrypointNumCpus) / cpusPerWorker),
    );
    const fits =
      fitting >= 1
        ? `at most ${fitting} worker(s) of ${cpusPerWorker} CPUs fit`
        : `a worker may ask for at most ${roundToRayStep(
            total.cpus - entrypointNumCpus,
          )} CPUs`;
    throw new InputError(
      `resources: ${numWorkers} worker(s) × ${cpusPerWorker} CPUs need ${neededCpus} CPUs; ${has}: ${fits}`,
    );
  }
  if (resources.useGpu && numWorkers > total.gpus) {
    throw new InputError(
      `resources: ${numWorkers} GPU worker(s) need ${numWorkers} GPUs; ${has}: at most ${total.gpus} GPU worker(s) fit`,
    );
  }
}

/** The `admit` check of a job insert: 429 once the owner has `max` active jobs. */
export function activeJobLimit(owner: string, max: number) {
  return (activeJobs: number) => {
    if (activeJobs >= max) {
      throw new TooManyRequestsError(
        `${owner} has ${activeJobs} queued or running jobs, the most a team may have (mlops.experiments.limits.maxActiveJobsPerTeam = ${max}); wait for one to end or cancel one`,
      );
    }
  };
}
