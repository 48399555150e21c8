import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
  PluginStatus,
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

  getStatus(): Promise<PluginStatus> {
    return this.request('/status');
  }

  listClusters(): Promise<ItemList<RayCluster>> {
    return this.request('/clusters');
  }
}
