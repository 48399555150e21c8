import {
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  CUSTOM_MODEL_TEMPLATE_PREFIX,
  CreateTrainingJobRequest,
  JobLogChunk,
  MetricSeries,
  ResolvedJobConfig,
  TERMINAL_JOB_STATES,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import { JsonValue } from '@backstage/types';
import { randomInt, randomUUID } from 'node:crypto';
import { DatasetCatalog } from '../catalog/DatasetCatalog';
import { LoadedTemplate, TemplateCatalog } from '../catalog/TemplateCatalog';
import { CustomModels, LoadedCustomTemplate } from '../customModels';
import { DatabaseJobStore, StoredJob } from '../database/DatabaseJobStore';
import { MlflowClient } from './MlflowClient';
import { RayClusters } from './RayClusters';
import { AutoTuneSettings } from '../tune/config';
import { resolveAutoTune } from '../tune/resolveAutoTune';
import { describeErrors, invalidJob } from './validation';
import {
  activeJobLimit,
  checkClusterFits,
  resourceProblems,
} from './admission';
import { JobLimits } from '../config';

/** Who submits: the user and the entity refs they own things through (user and groups). */
export type Submitter = {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  ownershipEntityRefs: string[];
};

/**
 * Training jobs as the API offers them: submission (validated, resolved, stored and queued in one
 * transaction), cancellation, and the job's log and metrics from Ray and MLflow.
 */
export class JobService {
  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      templates: TemplateCatalog;
      customModels: Pick<CustomModels, 'load'>;
      datasets: DatasetCatalog;
      clusters: RayClusters;
      mlflow: MlflowClient;
      trackingUrl: string;
      runtimeVersion: string;
      defaultCluster: string;
      /** CPUs Ray reserves for a job's entrypoint, besides its workers. */
      entrypointNumCpus: number;
      limits: JobLimits;
      logger: LoggerService;
      autoTune: AutoTuneSettings;
      /** Called after a job was queued, so that the outbox relay publishes it at once. */
      onQueued?: () => void;
    },
  ) {}

  async create(
    request: CreateTrainingJobRequest,
    submitter: Submitter,
  ): Promise<TrainingJob> {
    const { datasets, clusters, store, limits } = this.deps;
    const owner = resolveOwner(request.owner, submitter);
    const { template, validate, customModel } = await this.loadTemplate(
      request.templateId,
      submitter,
      owner,
    );
    const dataset = await datasets.pin(
      submitter.credentials,
      request.datasetId,
      request.datasetVersion,
    );

    const hyperparameters = structuredClone(request.hyperparameters ?? {});
    const problems: string[] = [];
    if (!validate(hyperparameters)) {
      problems.push(
        ...describeErrors(
          validate.errors ?? [],
          'hyperparameters',
          field => `${field} is not a hyperparameter of ${template.id}`,
        ),
      );
    }
    if (!template.datasetFormats.includes(dataset.format)) {
      problems.push(
        `datasetId: ${dataset.name ?? dataset.id} is in format ${
          dataset.format
        }; ${template.id} accepts ${template.datasetFormats.join(', ')}`,
      );
    }
    const resources = { ...template.defaultResources, ...request.resources };
    problems.push(...resourceProblems(resources, limits));
    const autoTune =
      request.autoTune &&
      resolveAutoTune({
        request: request.autoTune,
        template,
        hyperparameters,
        resources,
        owner,
        settings: this.deps.autoTune,
        problems,
      });
    if (problems.length > 0) {
      throw invalidJob(problems);
    }

    const cluster = clusters.choose({
      owner,
      requested: request.cluster,
      preferred: this.deps.defaultCluster,
    });
    const config: ResolvedJobConfig = {
      template: { id: template.id, version: template.version },
      dataset,
      hyperparameters: hyperparameters as Record<string, JsonValue>,
      seed: request.seed ?? randomInt(0, 2 ** 31 - 1),
      resources,
      cluster,
      runtimeVersion: this.deps.runtimeVersion,
      modelName: `${customModel?.name ?? template.id}-${entityName(owner)}`,
      ...(autoTune && { autoTune }),
      ...(customModel && { customModel }),
    };
    await checkClusterFits(clusters, config, this.deps.entrypointNumCpus);
    const now = new Date().toISOString();
    const job: StoredJob = {
      id: randomUUID(),
      name:
        request.name ??
        `${autoTune ? 'Auto-tune ' : ''}${template.id} on ${
          dataset.name ?? dataset.id
        }`,
      owner,
      project: request.project,
      state: 'QUEUED',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      config,
    };
    await store.insertJob(job, {
      enqueue: true,
      admit: activeJobLimit(owner, limits.maxActiveJobsPerTeam),
    });
    this.deps.onQueued?.();
    this.deps.logger.info(
      `Training job ${job.id} (${template.id} on dataset ${dataset.id} version ${dataset.version}) queued for ${owner} on Ray cluster ${cluster}`,
    );
    return this.withLinks(job);
  }

  private async loadTemplate(
    templateId: string,
    submitter: Submitter,
    owner: string,
  ): Promise<LoadedTemplate & Partial<LoadedCustomTemplate>> {
    return templateId.startsWith(CUSTOM_MODEL_TEMPLATE_PREFIX)
      ? this.deps.customModels.load(submitter.credentials, templateId, owner)
      : this.deps.templates.get(templateId);
  }

  /**
   * Cancels a job: a queued job is cancelled at once, a submitted one is stopped on Ray and stays
   * CANCELLING until Ray says it stopped.
   */
  async cancel(job: StoredJob, by: string): Promise<TrainingJob> {
    const { store, clusters } = this.deps;
    const reason = `cancelled by ${by}`;
    if (TERMINAL_JOB_STATES.includes(job.state)) {
      throw new ConflictError(
        `Job ${job.id} has already ended (${job.state}); it cannot be cancelled`,
      );
    }
    if (
      !(await store.transition(job.id, ['QUEUED'], 'CANCELLED', {
        reason,
        finished: true,
      }))
    ) {
      if (
        await store.transition(job.id, ['STARTING', 'RUNNING'], 'CANCELLING', {
          reason,
        })
      ) {
        try {
          await clusters.jobs(job.config.cluster).stop(job.id);
        } catch (error) {
          // The reconciler asks again until Ray has stopped the job.
          this.deps.logger.warn(
            `Could not stop Ray job ${job.id} yet: ${(error as Error).message}`,
          );
        }
      }
    }
    const current = await store.getJob(job.id);
    if (!current) throw new NotFoundError(`No training job ${job.id}`);
    return this.withLinks(current);
  }

  async logs(job: StoredJob, offset: number): Promise<JobLogChunk> {
    if (!job.raySubmissionId) {
      return { text: '', nextOffset: offset };
    }
    let logs: string | undefined;
    try {
      logs = await this.deps.clusters
        .jobs(job.config.cluster)
        .getLogs(job.raySubmissionId);
    } catch (error) {
      if (error instanceof RayUnavailableError) {
        throw new ServiceUnavailableError(error.message);
      }
      throw error;
    }
    const bytes = Buffer.from(logs ?? '', 'utf8');
    if (offset >= bytes.length) {
      return { text: '', nextOffset: bytes.length };
    }
    return {
      text: bytes.subarray(offset).toString('utf8'),
      nextOffset: bytes.length,
    };
  }

  async metrics(job: StoredJob): Promise<MetricSeries[]> {
    if (!job.mlflowRunId) return [];
    return this.deps.mlflow.getRunMetrics(job.mlflowRunId);
  }

  withLinks(job: StoredJob): TrainingJob {
    const links: TrainingJob['links'] = {};
    if (job.mlflowRunId && job.mlflowExperimentId) {
      links.mlflowRun = `${this.deps.trackingUrl}/#/experiments/${job.mlflowExperimentId}/runs/${job.mlflowRunId}`;
    }
    const dashboardUrl = this.deps.clusters.dashboardUrl(job.config?.cluster);
    if (job.raySubmissionId && dashboardUrl) {
      links.rayDashboard = `${dashboardUrl}/#/jobs/${job.raySubmissionId}`;
    }
    return { ...job, links };
  }
}

/** The requested owner if the submitter belongs to it, else the submitter's first group. */
function resolveOwner(requested: string | undefined, submitter: Submitter) {
  const refs = submitter.ownershipEntityRefs;
  if (requested) {
    if (!refs.includes(requested)) {
      throw new NotAllowedError(
        `You cannot submit a job for ${requested}: you are not a member of it`,
      );
    }
    return requested;
  }
  return (
    refs.find(ref => ref.startsWith('group:')) ??
    submitter.credentials.principal.userEntityRef
  );
}

function entityName(ref: string): string {
  return ref
    .slice(ref.lastIndexOf('/') + 1)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
}
