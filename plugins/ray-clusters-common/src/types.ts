/**
 * How the portal reaches a Ray cluster: one it started on this machine, an existing one given by
 * address and token, or one it manages through KubeRay.
 *
 * @public
 */
export type RayClusterDriver = 'local' | 'external' | 'kuberay';

/**
 * Totals of a Ray cluster, as reported by Ray itself.
 *
 * @public
 */
export type RayClusterResources = {
  nodes: number;
  cpus: number;
  gpus: number;
  /** Accelerator types reported by Ray, e.g. "A100". */
  gpuTypes: string[];
  memoryBytes: number;
  objectStoreBytes: number;
};

/**
 * A cluster as the portal shows it.
 *
 * @public
 */
export type RayCluster = {
  name: string;
  title: string;
  /** Entity ref of the owning team. */
  owner: string;
  driver: RayClusterDriver;
  dashboardUrl: string;
  state: 'ready' | 'unreachable';
  /** Why the cluster is unreachable, or a short summary when it is ready. */
  message: string;
  rayVersion?: string;
  resources?: RayClusterResources;
};
