import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  RayClusterResources,
  RayClusterState,
} from '@internal/backstage-plugin-ray-clusters-common';
import { RayClusterAccess, readRayClusterConfigs } from './config';
import { RayDashboardClient } from './RayDashboardClient';

/**
 * What a backend needs to know about a cluster before it runs work there.
 *
 * @public
 */
export type RayClusterInfo = {
  name: string;
  owner: string;
  state: RayClusterState;
  /** Live totals; undefined while the cluster is stopped or unreachable. */
  resources?: RayClusterResources;
  /** The most GPUs the cluster can have, scaled up or started; 0 when it can never have one. */
  maxGpus: number;
  /** Why the cluster cannot be reached, when it cannot. */
  message?: string;
};

/**
 * The clusters the ray-clusters backend provisions (created through its API), as it hands them to
 * {@link RayClustersService}.
 *
 * @public
 */
export interface RayClusterProvisioner {
  /** The provisioned clusters with their current address and token. */
  listClusters(): RayClusterAccess[];
  describe(name: string): Promise<RayClusterInfo>;
  /** Starts a stopped cluster and waits until it answers. */
  ensureRunning(name: string): Promise<void>;
}

/**
 * The Ray clusters the portal knows (defined in config, or provisioned by the ray-clusters
 * backend), for any backend plugin that runs work on Ray.
 *
 * @public
 */
export interface RayClustersService {
  listClusters(): RayClusterAccess[];
  /** The dashboard client of a cluster; NotFoundError for an unknown name. */
  getClient(name: string): RayDashboardClient;
  /** Owner, state and live resources of a cluster; NotFoundError for an unknown name. */
  getCluster(name: string): Promise<RayClusterInfo>;
  /** Starts a provisioned cluster that was stopped (for example when idle); no-op for others. */
  ensureRunning(name: string): Promise<void>;
  /** Called once by the ray-clusters backend, which owns the provisioned clusters. */
  setProvisioner(provisioner: RayClusterProvisioner): void;
}

/**
 * Describes a cluster the portal only reaches (config-defined or external) from Ray itself.
 *
 * @public
 */
export async function describeReachableCluster(
  cluster: RayClusterAccess,
): Promise<RayClusterInfo> {
  try {
    const resources = await new RayDashboardClient(cluster).getResources();
    return {
      name: cluster.name,
      owner: cluster.owner,
      state: 'ready',
      resources,
      maxGpus: resources.gpus,
    };
  } catch (error) {
    return {
      name: cluster.name,
      owner: cluster.owner,
      state: 'unreachable',
      maxGpus: 0,
      message: (error as Error).message,
    };
  }
}

/** @public */
export const rayClustersServiceRef = createServiceRef<RayClustersService>({
  id: 'mlops.ray-clusters',
  // One per backend: the ray-clusters plugin registers its provisioned clusters here, and the
  // experiments and serving plugins see them.
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory({ config }) {
        const configured = readRayClusterConfigs(config);
        let provisioner: RayClusterProvisioner | undefined;
        const all = () => [
          ...configured,
          ...(provisioner?.listClusters() ?? []),
        ];
        const find = (name: string) => {
          const cluster = all().find(c => c.name === name);
          if (!cluster) {
            throw new NotFoundError(`No Ray cluster named "${name}"`);
          }
          return cluster;
        };
        const isConfigured = (name: string) =>
          configured.some(c => c.name === name);
        return {
          listClusters: all,
          getClient: name => new RayDashboardClient(find(name)),
          async getCluster(name) {
            const cluster = find(name);
            if (isConfigured(name) || !provisioner) {
              return describeReachableCluster(cluster);
            }
            return provisioner.describe(name);
          },
          async ensureRunning(name) {
            find(name);
            if (!isConfigured(name) && provisioner) {
              await provisioner.ensureRunning(name);
            }
          },
          setProvisioner(p) {
            provisioner = p;
          },
        };
      },
    }),
});
