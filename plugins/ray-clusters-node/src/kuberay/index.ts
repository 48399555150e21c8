export * from './types';
export {
  assertDnsLabel,
  defaultAuthSecretName,
  toLabelValue,
  MAX_RAY_CLUSTER_NAME_LENGTH,
  MAX_RAY_JOB_OR_SERVICE_NAME_LENGTH,
} from './names';
export {
  buildRayClusterSpec,
  CPU_WORKER_GROUP,
  GPU_WORKER_GROUP,
  GPU_RESOURCE,
} from './rayClusterSpec';
export {
  buildRayCluster,
  buildRayJob,
  buildRayService,
  DEFAULT_RAY_JOB_TTL_SECONDS,
} from './manifests';
export { toKubeRayStatus, inClusterDashboardUrl } from './status';
export type { KubeRayStatus, DashboardUrlResolver } from './status';
export { KubeRayClient, AUTH_TOKEN_SECRET_KEY } from './KubeRayClient';
export type {
  KubeRayApi,
  KubeRayClientOptions,
  WorkerGroupScale,
} from './KubeRayClient';
export { loadKubeConfig } from './kubeConfig';
export type { KubeConfigSource } from './kubeConfig';
