import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { RayCluster } from './types';

/**
 * Typed client of the ray-clusters backend.
 *
 * @public
 */
export class RayClustersClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('ray-clusters', options);
  }

  listClusters(): Promise<ItemList<RayCluster>> {
    return this.request('/clusters');
  }
}
