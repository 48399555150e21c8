/**
 * How the portal reaches a Ray cluster: one it started on this machine, an existing one given by
 * address and token, or one it manages through KubeRay.
 *
 * @public
 */
export type RayClusterDriver = 'local' | 'external' | 'kuberay';

/**
 * Used and total amount of one resource.
 *
 * @public
 */
export type ResourceUsage = { used: number; total: number };

/**
 * Totals of a Ray cluster, as reported by Ray itself, and live usage where Ray reports it.
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
  /** From Ray's cluster status: how much of each total the running tasks and actors hold. */
  usage?: {
    cpus: ResourceUsage;
    gpus: ResourceUsage;
    memoryBytes: ResourceUsage;
    objectStoreBytes: ResourceUsage;
  };
};

/**
 * One Ray node as the portal shows it.
 *
 * @public
 */
export type RayNode = {
  nodeId: string;
  ip: string;
  isHead: boolean;
  state: string;
  cpus: number;
  gpus: number;
  gpuType?: string;
  memoryBytes: number;
  objectStoreBytes: number;
};

/**
 * A Ray job as the Ray Jobs API lists it.
 *
 * @public
 */
export type RayJobSummary = {
  submissionId?: string;
  jobId?: string;
  status: string;
  entrypoint: string;
  startTime?: number;
  endTime?: number;
};

/**
 * The size the portal gives a cluster it provisions.
 *
 * @public
 */
export type RayClusterSpec = {
  cpus: number;
  gpus: number;
  /** Memory Ray may hand to tasks and actors; unset leaves Ray's default (a share of the machine). */
  memoryBytes?: number;
  /** Stops the cluster after this long without running jobs; 0 never stops it. */
  idleTimeoutSeconds: number;
};

/**
 * Where a cluster is in its life: `ready`/`unreachable` for clusters the portal only reaches, the
 * others for clusters it provisions.
 *
 * @public
 */
export type RayClusterState =
  | 'starting'
  | 'ready'
  | 'unreachable'
  | 'stopped'
  | 'failed';

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
  /** `config`: defined in app-config and read-only; `portal`: created through the API. */
  source: 'config' | 'portal';
  dashboardUrl?: string;
  state: RayClusterState;
  /** Why the cluster is unreachable, or a short summary when it is ready. */
  message: string;
  rayVersion?: string;
  resources?: RayClusterResources;
  spec?: RayClusterSpec;
  createdBy?: string;
  createdAt?: string;
};

/**
 * A cluster with what its detail page shows.
 *
 * @public
 */
export type RayClusterDetails = RayCluster & {
  nodes: RayNode[];
  jobs: RayJobSummary[];
};

/**
 * Body of `POST /clusters`.
 *
 * @public
 */
export type CreateRayClusterRequest = {
  name: string;
  title?: string;
  /** Team that owns the cluster; defaults to the caller's first group. */
  owner?: string;
  driver?: RayClusterDriver;
  cpus?: number;
  gpus?: number;
  memoryBytes?: number;
  idleTimeoutSeconds?: number;
  /** external driver only: the cluster's dashboard address and token. */
  dashboardUrl?: string;
  token?: string;
};

/**
 * Body of `POST /clusters/:name/scale`.
 *
 * @public
 */
export type ScaleRayClusterRequest = {
  cpus?: number;
  gpus?: number;
  memoryBytes?: number;
  idleTimeoutSeconds?: number;
};
