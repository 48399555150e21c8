import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { ModelDeployment } from './types';

/**
 * Typed client of the serving backend.
 *
 * @public
 */
export class ServingClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('serving', options);
  }

  /** The caller's most recent deployments, newest first; `limit` from 1 to 100. */
  listDeployments(limit = 20): Promise<ItemList<ModelDeployment>> {
    return this.request(`/deployments?limit=${limit}`);
  }
}
