import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Loop,
  RayJobInfo,
  RayJobsClient,
} from '@internal/backstage-plugin-experiments-node';
import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import { DatabaseJobStore, StoredJob } from '../database/DatabaseJobStore';
import { RayClusters } from '../service/RayClusters';
import { TrialStore } from '../tune/TrialStore';
import { trialsFromLog } from '../tune/trialLines';
import { failureReason, parseMlopsEvents } from './jobLog';

const ACTIVE = ['STARTING', 'RUNNING', 'CANCELLING'] as const;

/**
 * Follows the jobs that Ray has (STARTING, RUNNING, CANCELLING) and moves them as Ray reports:
 * PENDING stays STARTING, RUNNING → RUNNING, SUCCEEDED → SUCCEEDED, FAILED → FAILED with a reason
 * from the log, STOPPED → CANCELLED. It reads the MLflow run and registered model version from the
 * training code's `mlops.*` log lines, and keeps asking Ray to stop CANCELLING jobs. Every change is
 * a guarded transition, so several reconcilers (backend replicas) can run at once.
 */
export class JobReconciler {
  private readonly loop: Loop;

  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      clusters: RayClusters;
      logger: LoggerService;
      intervalMs: number;
      /** Where the trials of auto-tune jobs go. */
      trials?: TrialStore;
    },
  ) {
    this.loop = new Loop(() => this.reconcileAll(), {
      intervalMs: deps.intervalMs,
      onError: error =>
        deps.logger.warn(
          `Training job reconciler: ${(error as Error).message}`,
        ),
    });
  }

  start() {
    this.loop.start();
  }

  stop() {
    return this.loop.stop();
  }

  async reconcileAll(): Promise<void> {
    const jobs = await this.deps.store.listJobsInStates([...ACTIVE]);
    for (const job of jobs) {
      try {
        await this.reconcile(job);
      } catch (error) {
        if (error instanceof RayUnavailableError) {
          this.deps.logger.debug(
            `Training job ${job.id}: ${error.message}; trying again`,
          );
        } else {
          this.deps.logger.warn(
            `Training job ${job.id} could not be reconciled: ${error}`,
          );
        }
      }
    }
  }

  private async reconcile(job: StoredJob) {
    const { store, clusters } = this.deps;
    if (!clusters.has(job.config.cluster)) {
      await store.transition(job.id, [...ACTIVE], 'FAILED', {
        reason: `Ray cluster "${job.config.cluster}" is no longer configured`,
        finished: true,
      });
      return;
    }
    const ray = clusters.jobs(job.config.cluster);
    const info = await ray.getJob(job.id);
    if (!info) {
      await this.onLost(job);
      return;
    }
    const ended = ['SUCCEEDED', 'FAILED', 'STOPPED'].includes(info.status);
    // Ray's log endpoint returns the whole log: read it while running only until the MLflow run is
    // known (and for a tune's trials); the registered model comes with the final read at the end.
    const logs =
      ended || !job.mlflowRunId || job.config.autoTune
        ? (await ray.getLogs(job.id)) ?? ''
        : '';
    if (job.config.autoTune && this.deps.trials) {
      await this.deps.trials.record(
        job.id,
        trialsFromLog(logs, job.config.autoTune),
      );
    }
    const patch = { ...parseMlopsEvents(logs).patch, rayJobId: info.jobId };

    switch (info.status) {
      case 'PENDING':
      case 'RUNNING':
        await this.onActive(job, info, ray, patch);
        return;
      case 'SUCCEEDED':
        await store.transition(job.id, [...ACTIVE], 'SUCCEEDED', {
          ...patch,
          reason: null,
          started: true,
          finished: true,
        });
        return;
      case 'FAILED':
        await store.transition(job.id, [...ACTIVE], 'FAILED', {
          ...patch,
          reason: failureReason(logs, info.message),
          finished: true,
        });
        return;
      case 'STOPPED':
        await store.transition(job.id, [...ACTIVE], 'CANCELLED', {
          ...patch,
          reason:
            job.state === 'CANCELLING'
              ? job.reason ?? 'cancelled'
              : 'stopped on the Ray cluster',
          finished: true,
        });
        return;
      default:
        this.deps.logger.warn(
          `Training job ${job.id}: unknown Ray job status ${info.status}`,
        );
    }
  }

  private async onActive(
    job: StoredJob,
    info: RayJobInfo,
    ray: RayJobsClient,
    patch: Parameters<DatabaseJobStore['update']>[2],
  ) {
    const { store } = this.deps;
    if (job.state === 'CANCELLING') {
      await ray.stop(job.id);
      await store.update(job.id, ['CANCELLING'], patch);
      return;
    }
    if (
      info.status === 'RUNNING' &&
      (await store.transition(job.id, ['STARTING'], 'RUNNING', {
        ...patch,
        started: true,
      }))
    ) {
      return;
    }
    await store.update(job.id, [job.state], patch);
  }

  /** Ray does not know a job it had: the cluster was restarted or replaced. */
  private async onLost(job: StoredJob) {
    const { store } = this.deps;
    if (job.state === 'CANCELLING') {
      await store.transition(job.id, ['CANCELLING'], 'CANCELLED', {
        finished: true,
      });
      return;
    }
    await store.transition(job.id, ['STARTING', 'RUNNING'], 'FAILED', {
      reason: `the Ray cluster "${job.config.cluster}" no longer knows the job (was it restarted?)`,
      finished: true,
    });
  }
}
