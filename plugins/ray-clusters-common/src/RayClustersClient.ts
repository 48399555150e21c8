import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import {
  CreateRayClusterRequest,
  RayCluster,
  RayClusterDetails,
  ScaleRayClusterRequest,
} from './types';

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

  getCluster(name: string): Promise<RayClusterDetails> {
    return this.request(`/clusters/${encodeURIComponent(name)}`);
  }

  createCluster(request: CreateRayClusterRequest): Promise<RayCluster> {
    return this.request('/clusters', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  scaleCluster(
    name: string,
    request: ScaleRayClusterRequest,
  ): Promise<RayCluster> {
    return this.request(`/clusters/${encodeURIComponent(name)}/scale`, {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  /** Starts a stopped or failed cluster; resolves once it answers. */
  startCluster(name: string): Promise<RayCluster> {
    return this.request(`/clusters/${encodeURIComponent(name)}/start`, {
      method: 'POST',
    });
  }

  deleteCluster(name: string): Promise<{ name: string; deleted: true }> {
    return this.request(`/clusters/${encodeURIComponent(name)}`, {
      method: 'DELETE',
    });
  }
}
