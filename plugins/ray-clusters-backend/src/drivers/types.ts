import {
  RayClusterSpec,
  RayClusterState,
} from '@internal/backstage-plugin-ray-clusters-common';
import { StoredCluster } from '../database/ClusterStore';

/** How the portal reaches a running cluster. */
export type ClusterConnection = { dashboardUrl: string; token?: string };

/** What a driver tells the registry when a cluster changes by itself (crash, restart, idle stop). */
export type ClusterStateReport = (
  name: string,
  change: {
    state: RayClusterState;
    message: string;
    connection?: ClusterConnection;
  },
) => void;

/** One way of provisioning clusters; the registry keeps the records, the driver the clusters. */
export interface ClusterDriver {
  /** Checks a request before anything is stored; throws InputError naming the problem. */
  validate(cluster: StoredCluster): Promise<void>;
  /** Brings the cluster up and resolves with its address once Ray answers. */
  start(cluster: StoredCluster): Promise<ClusterConnection>;
  /** Stops the cluster but keeps it (local: the head process ends). */
  stop(cluster: StoredCluster): Promise<void>;
  /** Gives a cluster a new size; resolves with its address afterwards. */
  scale(
    cluster: StoredCluster,
    spec: RayClusterSpec,
  ): Promise<ClusterConnection>;
  /** Removes the cluster and everything it left behind. */
  delete(cluster: StoredCluster): Promise<void>;
  /** Whether the cluster runs (or is being started) now. */
  isRunning(cluster: StoredCluster): boolean;
  /** Stops watching clusters (backend shutdown). */
  close(): Promise<void>;
}
