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
}
