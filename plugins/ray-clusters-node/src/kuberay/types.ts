/** Default Ray version of generated clusters; the image tag follows it. */
export const DEFAULT_RAY_VERSION = '2.60.0';
export const KUBERAY_API_VERSION = 'ray.io/v1';

/** Prefix of the labels and annotations this portal puts on the objects it creates. */
export const PORTAL_LABEL_PREFIX = 'mlops-portal.io';
export const PORTAL_NAME = 'mlops-portal';

/** A Kubernetes quantity such as `2`, `500m` or `8Gi`. */
export type Quantity = string | number;

export type ContainerSize = {
  cpu: Quantity;
  memory: Quantity;
};

export type Toleration = {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
};

export type WorkerGroupInput = ContainerSize & {
  /** Initial number of workers; defaults to minReplicas. */
  replicas?: number;
  minReplicas: number;
  maxReplicas: number;
};

export type GpuWorkerGroupInput = WorkerGroupInput & {
  gpusPerWorker: number;
  /** Restricts GPU workers to GPU nodes, e.g. `{ 'nvidia.com/gpu.present': 'true' }`. */
  nodeSelector?: Record<string, string>;
  /** Lets GPU workers onto tainted GPU nodes, e.g. `{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }`. */
  tolerations?: Toleration[];
};

/** What a Ray cluster looks like, independent of whether it is a RayCluster, RayJob or RayService. */
export type RayClusterShape = {
  rayVersion?: string;
  /** Image for the head and CPU workers; defaults to `rayproject/ray:<rayVersion>`. */
  image?: string;
  /** Image for GPU workers; defaults to `rayproject/ray:<rayVersion>-gpu`. */
  gpuImage?: string;
  head: ContainerSize;
  cpuWorkers: WorkerGroupInput;
  gpuWorkers?: GpuWorkerGroupInput;
  /** Ray autoscaler inside the cluster, scaling each group between its minReplicas and maxReplicas. */
  autoscaling?: { enabled: boolean; idleTimeoutSeconds?: number };
  serviceAccountName?: string;
  imagePullSecrets?: string[];
};

export type ObjectIdentity = {
  name: string;
  namespace: string;
  /** Owner entity ref of the team, e.g. `group:default/ml-team`. */
  owner: string;
};

export type RayClusterInput = ObjectIdentity & RayClusterShape;

export type RayJobSubmissionMode =
  | 'K8sJobMode'
  | 'HTTPMode'
  | 'InteractiveMode'
  | 'SidecarMode';

export type RayJobInput = ObjectIdentity & {
  entrypoint: string;
  /** Ray runtime_env (working_dir, pip, env_vars, ...); serialized to runtimeEnvYAML. */
  runtimeEnv?: Record<string, unknown>;
  submissionMode?: RayJobSubmissionMode;
  /** Seconds the finished job and its cluster are kept before deletion. */
  ttlSecondsAfterFinished?: number;
  activeDeadlineSeconds?: number;
  cluster: RayClusterShape;
};

export type RayServiceInput = ObjectIdentity & {
  /** Ray Serve config (`applications`, `http_options`, ...); serialized to serveConfigV2. */
  serveConfig: { applications: Array<Record<string, unknown>> } & Record<
    string,
    unknown
  >;
  cluster: RayClusterShape;
};

export type ObjectMeta = {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};

export type Container = {
  name: string;
  image: string;
  env?: Array<{ name: string; value: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  resources: {
    requests: Record<string, Quantity>;
    limits: Record<string, Quantity>;
  };
};

export type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    serviceAccountName?: string;
    imagePullSecrets?: Array<{ name: string }>;
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
  };
};

export type WorkerGroupSpec = {
  groupName: string;
  replicas: number;
  minReplicas: number;
  maxReplicas: number;
  rayStartParams: Record<string, string>;
  template: PodTemplate;
};

export type RayClusterSpec = {
  rayVersion: string;
  enableInTreeAutoscaling: boolean;
  autoscalerOptions?: { idleTimeoutSeconds?: number; upscalingMode?: string };
  authOptions: { mode: 'token' | 'disabled'; secretName?: string };
  headGroupSpec: {
    rayStartParams: Record<string, string>;
    template: PodTemplate;
  };
  workerGroupSpecs: WorkerGroupSpec[];
};

export type RayClusterManifest = {
  apiVersion: typeof KUBERAY_API_VERSION;
  kind: 'RayCluster';
  metadata: ObjectMeta;
  spec: RayClusterSpec;
};

export type RayJobManifest = {
  apiVersion: typeof KUBERAY_API_VERSION;
  kind: 'RayJob';
  metadata: ObjectMeta;
  spec: {
    entrypoint: string;
    runtimeEnvYAML?: string;
    submissionMode: RayJobSubmissionMode;
    shutdownAfterJobFinishes: true;
    ttlSecondsAfterFinished: number;
    activeDeadlineSeconds?: number;
    rayClusterSpec: RayClusterSpec;
  };
};

export type RayServiceManifest = {
  apiVersion: typeof KUBERAY_API_VERSION;
  kind: 'RayService';
  metadata: ObjectMeta;
  spec: {
    serveConfigV2: string;
    rayClusterConfig: RayClusterSpec;
  };
};

export type KubeRayManifest =
  | RayClusterManifest
  | RayJobManifest
  | RayServiceManifest;

export type KubeRayKind = KubeRayManifest['kind'];
