import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeliveredJobMessage,
  JobConsumer,
  JobDeliveryContext,
  JobOutcome,
  Loop,
  RayJobRejectedError,
} from '@internal/backstage-plugin-experiments-node';
import { InputError, NotFoundError } from '@backstage/errors';
import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import path from 'node:path';
import { DatasetCatalog } from '../catalog/DatasetCatalog';
import { TemplateCatalog } from '../catalog/TemplateCatalog';
import { CUSTOM_MODEL_BASE_TEMPLATE_ID, CustomModels } from '../customModels';
import { DatabaseJobStore, StoredJob } from '../database/DatabaseJobStore';
import { MlflowNameTakenError, MlflowTeamAccess } from '@internal/mlops-node';
import { RayClusters } from '../service/RayClusters';
import { TUNE_ENTRYPOINT } from '../tune/resolveAutoTune';
import { QueueConnector } from './QueueConnector';

/** Settings the worker passes to the training code. */
export type WorkerSettings = {
  runtimePath: string;
  storagePath: string;
  trackingUrl: string;
  prefetch: number;
  entrypointNumCpus: number;
};

/** The job config travels in one environment variable, which Linux caps at 128 KiB. */
const MAX_JOB_CONFIG_BYTES = 120_000;
/** Dataset versions materialized for jobs, beside the jobs' folders (job ids are UUIDs). */
const DATASET_CACHE_DIR = 'dataset-cache';

/** A job the worker cannot run, whatever the number of attempts: it fails with this reason. */
class UnrunnableJobError extends Error {}

/**
 * Takes jobs off the queue and submits each to its Ray cluster, with the job id as Ray's
 * submission id so that a second delivery never starts a second run. The delivery is acked as
 * soon as Ray has the job and the job is STARTING; the reconciler follows it from there.
 */
export class JobWorker {
  private consumer?: JobConsumer;
  private readonly connectLoop: Loop;

  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      queue: QueueConnector;
      templates: TemplateCatalog;
      customModels: Pick<CustomModels, 'jobConfig'>;
      datasets: DatasetCatalog;
      clusters: RayClusters;
      /** Absent for an MLflow without authentication: jobs then log without credentials. */
      mlflowTeams?: MlflowTeamAccess;
      settings: WorkerSettings;
      logger: LoggerService;
    },
  ) {
    this.connectLoop = new Loop(() => this.subscribe(), {
      intervalMs: 1000,
      onError: error =>
        deps.logger.warn(
          `Training job worker waits for the job queue: ${
            (error as Error).message
          }`,
        ),
    });
  }

  /** Starts consuming, as soon as the queue can be reached. */
  start() {
    this.connectLoop.start();
  }

  async stop() {
    await this.connectLoop.stop();
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  private async subscribe() {
    if (this.consumer) return;
    const queue = await this.deps.queue.get();
    this.consumer = await queue.consume((m, c) => this.handle(m, c), {
      prefetch: this.deps.settings.prefetch,
    });
    this.deps.logger.info('Training job worker is consuming the job queue');
    // Ends the connect loop once this tick returns (awaiting it here would wait for itself).
    void this.connectLoop.stop();
  }

  /** Handles one delivery of a job message. */
  async handle(
    message: DeliveredJobMessage,
    context: JobDeliveryContext,
  ): Promise<JobOutcome> {
    const { store, logger } = this.deps;
    const job = await store.getJob(message.jobId);
    if (!job) {
      logger.warn(`Dropping a queue message for unknown job ${message.jobId}`);
      return 'dead';
    }
    if (job.state !== 'QUEUED') {
      // Submitted by an earlier delivery, or cancelled meanwhile.
      return 'ack';
    }
    await store.countAttempt(job.id, ['QUEUED']);
    try {
      const { jobId } = await this.submit(job);
      const moved = await store.transition(job.id, ['QUEUED'], 'STARTING', {
        raySubmissionId: job.id,
        rayJobId: jobId,
        reason: null,
      });
      if (!moved) {
        await this.stopIfCancelled(job.id);
      }
      return 'ack';
    } catch (error) {
      return this.onSubmitError(job, error, context);
    }
  }

  /** Submits the job to Ray; a job Ray already has counts as submitted. */
  async submit(job: StoredJob): Promise<{ jobId?: string }> {
    const { templates, customModels, datasets, clusters, settings } = this.deps;
    const { config } = job;
    let client;
    try {
      client = clusters.jobs(config.cluster);
    } catch {
      throw new UnrunnableJobError(
        `Ray cluster "${config.cluster}" is not configured`,
      );
    }
    // User code runs only on its own team's cluster, whatever put the job on the queue.
    if (clusters.owner(config.cluster) !== job.owner) {
      throw new UnrunnableJobError(
        `Ray cluster "${config.cluster}" is not a cluster of ${job.owner}: a job runs only on a cluster its team owns`,
      );
    }
    // A custom model trains with the training loop of the built-in template it is based on.
    const templateId = config.customModel
      ? CUSTOM_MODEL_BASE_TEMPLATE_ID
      : config.template.id;
    let entrypoint: string;
    try {
      const { template } = templates.get(templateId);
      entrypoint = config.autoTune ? TUNE_ENTRYPOINT : template.entrypoint;
    } catch {
      throw new UnrunnableJobError(
        `model template ${templateId} no longer exists`,
      );
    }
    const [dataset, customModel] = await Promise.all([
      datasets.locate(config.dataset),
      config.customModel && customModels.jobConfig(config.customModel),
    ]).catch(error => {
      if (error instanceof NotFoundError || error instanceof InputError) {
        throw new UnrunnableJobError(error.message);
      }
      throw error;
    });
    await clusters.ensureRunning(config.cluster);
    const jobConfig = {
      jobId: job.id,
      template: config.template,
      dataset,
      hyperparameters: config.hyperparameters,
      seed: config.seed,
      resources: config.resources,
      modelName: config.modelName,
      mlflow: {
        trackingUri: settings.trackingUrl,
        experimentName: config.modelName,
      },
      storagePath: path.join(settings.storagePath, job.id),
      ...(config.autoTune && { autoTune: config.autoTune }),
      ...(customModel && { customModel }),
    };
    const configJson = JSON.stringify(jobConfig);
    if (Buffer.byteLength(configJson) > MAX_JOB_CONFIG_BYTES) {
      throw new UnrunnableJobError(
        `the job config is too large to pass to a Ray job (${Buffer.byteLength(
          configJson,
        )} bytes, at most ${MAX_JOB_CONFIG_BYTES}): dataset ${
          dataset.name
        } version ${dataset.version} has ${dataset.files.length} files${
          customModel
            ? ` and the custom model's source is ${Buffer.byteLength(
                customModel.source,
              )} bytes`
            : ''
        }`,
      );
    }
    const mlflowUser = await this.mlflowUser(job.owner, config.modelName);
    const result = await client.submit({
      submissionId: job.id,
      entrypoint: `python -m ${entrypoint}`,
      envVars: {
        MLOPS_JOB_CONFIG: configJson,
        MLOPS_DATASET_CACHE: path.join(settings.storagePath, DATASET_CACHE_DIR),
        PYTHONPATH: path.join(settings.runtimePath, 'src'),
        // The team's own MLflow user, read by MLflow's client in the job: user code never gets
        // the portal's. Ray shows a job's environment only to holders of its cluster's token.
        ...(mlflowUser && {
          MLFLOW_TRACKING_USERNAME: mlflowUser.username,
          MLFLOW_TRACKING_PASSWORD: mlflowUser.password,
        }),
      },
      entrypointNumCpus: settings.entrypointNumCpus,
      metadata: { portal: 'mlops', owner: job.owner, name: job.name },
    });
    if (result.alreadySubmitted) {
      this.deps.logger.info(
        `Training job ${job.id} was already submitted to Ray by an earlier delivery`,
      );
    }
    return { jobId: result.jobId };
  }

  /** The team's MLflow user, with the job's experiment and registered model granted to it. */
  private async mlflowUser(owner: string, modelName: string) {
    try {
      return await this.deps.mlflowTeams?.prepareJob(owner, modelName);
    } catch (error) {
      if (error instanceof MlflowNameTakenError) {
        throw new UnrunnableJobError(error.message);
      }
      throw error;
    }
  }

  private async onSubmitError(
    job: StoredJob,
    error: unknown,
    context: JobDeliveryContext,
  ): Promise<JobOutcome> {
    const { store, logger } = this.deps;
    const message = (error as Error).message;
    if (error instanceof RayUnavailableError) {
      if (context.attempt < context.maxAttempts) {
        await store.update(job.id, ['QUEUED'], {
          reason: `Ray cluster unreachable (attempt ${context.attempt} of ${context.maxAttempts}), retrying: ${message}`,
        });
        return 'retry';
      }
      await this.fail(job, `Ray cluster unreachable: ${message}`);
      return 'ack';
    }
    if (
      error instanceof UnrunnableJobError ||
      error instanceof RayJobRejectedError
    ) {
      await this.fail(job, message);
      return 'ack';
    }
    logger.error(`Training job ${job.id} could not be submitted: ${message}`);
    return 'retry';
  }

  private async fail(job: StoredJob, reason: string) {
    this.deps.logger.warn(`Training job ${job.id} failed: ${reason}`);
    await this.deps.store.transition(job.id, ['QUEUED'], 'FAILED', {
      reason,
      finished: true,
    });
  }

  /** Cancelled while being submitted: stop what Ray just started. */
  private async stopIfCancelled(jobId: string) {
    const current = await this.deps.store.getJob(jobId);
    if (current?.state === 'CANCELLED' || current?.state === 'CANCELLING') {
      await this.deps.clusters
        .jobs(current.config.cluster)
        .stop(jobId)
        .catch(() => false);
    }
  }
}
