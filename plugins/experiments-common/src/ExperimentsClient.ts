import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import {
  CreateTrainingJobRequest,
  JobListFilter,
  JobLogChunk,
  MetricSeries,
  ModelTemplate,
  TrainingDataset,
  TrainingJob,
} from './types';
import { TuneTrial } from './tune';
import {
  CreateCustomModelRequest,
  CustomModel,
  CustomModelVersion,
} from './customModels';

/**
 * Typed client of the experiments backend.
 *
 * @public
 */
export class ExperimentsClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('experiments', options);
  }

  /**
   * The caller's most recent jobs, newest first; `limit` from 1 to 100. With a filter, only the
   * jobs that trained on that dataset (version).
   */
  listJobs(
    limit = 20,
    filter: JobListFilter = {},
  ): Promise<ItemList<TrainingJob>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (filter.datasetId) query.set('datasetId', filter.datasetId);
    if (filter.datasetVersion)
      query.set('datasetVersion', filter.datasetVersion);
    return this.request(`/jobs?${query}`);
  }

  getJob(id: string): Promise<TrainingJob> {
    return this.request(`/jobs/${encodeURIComponent(id)}`);
  }

  /** Validates and queues a job; a 400 names each invalid field. */
  createJob(request: CreateTrainingJobRequest): Promise<TrainingJob> {
    return this.request('/jobs', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  cancelJob(id: string): Promise<TrainingJob> {
    return this.request(`/jobs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    });
  }

  getJobMetrics(id: string): Promise<ItemList<MetricSeries>> {
    return this.request(`/jobs/${encodeURIComponent(id)}/metrics`);
  }

  /** The trials of an auto-tune job. */
  getJobTrials(id: string): Promise<ItemList<TuneTrial>> {
    return this.request(`/jobs/${encodeURIComponent(id)}/trials`);
  }

  getJobLogs(id: string, offset = 0): Promise<JobLogChunk> {
    return this.request(
      `/jobs/${encodeURIComponent(id)}/logs?offset=${offset}`,
    );
  }

  listTemplates(): Promise<ItemList<ModelTemplate>> {
    return this.request('/templates');
  }

  listDatasets(): Promise<ItemList<TrainingDataset>> {
    return this.request('/datasets');
  }

  /** The custom models the caller's teams may read, each with its versions newest first. */
  listCustomModels(): Promise<ItemList<CustomModel>> {
    return this.request('/custom-models');
  }

  /** One version of a custom model, with its source; `owner` tells which team's `name`. */
  getCustomModelVersion(
    name: string,
    version: number,
    owner?: string,
  ): Promise<CustomModelVersion> {
    const query = owner ? `?${new URLSearchParams({ owner })}` : '';
    return this.request(
      `/custom-models/${encodeURIComponent(name)}/versions/${version}${query}`,
    );
  }

  /**
   * Checks the module in Ray (10-60 s) and stores it as a new version, or returns the existing
   * version with the same source; a 400 names each problem the check found.
   */
  createCustomModel(
    request: CreateCustomModelRequest,
  ): Promise<CustomModelVersion> {
    return this.request('/custom-models', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }
}
