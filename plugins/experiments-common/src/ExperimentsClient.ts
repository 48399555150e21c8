import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { TrainingJob } from './types';

/**
 * Typed client of the experiments backend.
 *
 * @public
 */
export class ExperimentsClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('experiments', options);
  }

  /** The caller's most recent jobs, newest first; `limit` from 1 to 100. */
  listJobs(limit = 20): Promise<ItemList<TrainingJob>> {
    return this.request(`/jobs?limit=${limit}`);
  }
}
