import { InputError, NotFoundError } from '@backstage/errors';
import { RayJobsClient } from '@internal/backstage-plugin-experiments-node';
import {
  RayClusterConfig,
  RayClusterInfo,
  RayClustersService,
} from '@internal/backstage-plugin-ray-clusters-node';

/**
 * The Ray clusters a job can run on, with a Ray Jobs client for each. User code (custom model
 * checks, training, tuning) runs only on a cluster its team owns: {@link RayClusters.choose}.
 */
export class RayClusters {
  constructor(private readonly service: RayClustersService) {}

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** The owning team of a cluster; undefined for an unknown one. */
  owner(name: string): string | undefined {
    return this.find(name)?.owner;
  }

  /**
   * The cluster `owner`'s work runs on: `requested` when `owner` owns it, else `preferred` (the
   * configured default) when `owner` owns that, else `owner`'s first cluster. A requested cluster
   * of another team answers like an unknown one (404), naming only what the caller sent; a team
   * without clusters gets a 400 that says how to get one.
   */
  choose(options: {
    owner: string;
    requested?: string;
    preferred?: string;
  }): string {
    const { owner, requested, preferred } = options;
    const owned = this.service
      .listClusters()
      .filter(cluster => cluster.owner === owner);
    if (requested !== undefined) {
      if (!owned.some(cluster => cluster.name === requested)) {
        throw new NotFoundError(
          `${owner} has no Ray cluster named "${requested}"`,
        );
      }
      return requested;
    }
    const chosen =
      owned.find(cluster => cluster.name === preferred) ?? owned[0];
    if (!chosen) {
      throw new InputError(
        `your team ${owner} has no Ray cluster; create one on the Ray clusters page`,
      );
    }
    return chosen.name;
  }

  /** Owner, state and GPUs of a cluster, as the ray-clusters plugin knows them. */
  describe(name: string): Promise<RayClusterInfo> {
    return this.service.getCluster(name);
  }

  /**
   * Whether the cluster has a fixed size, so that its live totals are all it will ever have:
   * local and external clusters; a KubeRay cluster may scale up.
   */
  isFixedSize(name: string): boolean {
    const driver = this.find(name)?.driver;
    return driver === 'local' || driver === 'external';
  }

  /** Starts a portal-provisioned cluster stopped for being idle; no-op for the others. */
  ensureRunning(name: string): Promise<void> {
    return this.service.ensureRunning(name);
  }

  dashboardUrl(name: string): string | undefined {
    return this.find(name)?.dashboardUrl;
  }

  /** NotFoundError for an unknown cluster. */
  jobs(name: string): RayJobsClient {
    const cluster = this.find(name);
    if (!cluster) {
      throw new NotFoundError(`No Ray cluster named "${name}"`);
    }
    return new RayJobsClient(cluster);
  }

  private find(name: string): RayClusterConfig | undefined {
    return this.service.listClusters().find(c => c.name === name);
  }
}
