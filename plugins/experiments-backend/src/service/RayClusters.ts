import { NotFoundError } from '@backstage/errors';
import { RayJobsClient } from '@internal/backstage-plugin-experiments-node';
import {
  RayClusterInfo,
  RayClustersService,
} from '@internal/backstage-plugin-ray-clusters-node';

/** The Ray clusters a job can run on, with a Ray Jobs client for each. */
export class RayClusters {
  constructor(private readonly service: RayClustersService) {}

  has(name: string): boolean {
    return this.service.listClusters().some(c => c.name === name);
  }

  /** The owning team of a cluster; undefined for an unknown one. */
  owner(name: string): string | undefined {
    return this.service.listClusters().find(c => c.name === name)?.owner;
  }

  /** Owner, state and GPUs of a cluster, as the ray-clusters plugin knows them. */
  describe(name: string): Promise<RayClusterInfo> {
    return this.service.getCluster(name);
  }

  /** Starts a portal-provisioned cluster stopped for being idle; no-op for the others. */
  ensureRunning(name: string): Promise<void> {
    return this.service.ensureRunning(name);
  }

  dashboardUrl(name: string): string | undefined {
    return this.service.listClusters().find(c => c.name === name)?.dashboardUrl;
  }

  /** NotFoundError for an unknown cluster. */
  jobs(name: string): RayJobsClient {
    const cluster = this.service.listClusters().find(c => c.name === name);
    if (!cluster) {
      throw new NotFoundError(`No Ray cluster named "${name}"`);
    }
    return new RayJobsClient(cluster);
  }
}
