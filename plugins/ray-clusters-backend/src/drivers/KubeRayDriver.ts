import { InputError } from '@backstage/errors';
import { RayClusterSpec } from '@internal/backstage-plugin-ray-clusters-common';
import {
  buildRayCluster,
  CPU_WORKER_GROUP,
  GPU_WORKER_GROUP,
  KubeRayApi,
  RayClusterInput,
} from '@internal/backstage-plugin-ray-clusters-node';
import { StoredCluster } from '../database/ClusterStore';
import { ClusterConnection, ClusterDriver } from './types';

export type KubeRayDriverOptions = {
  api: KubeRayApi;
  /** Namespace the teams' RayClusters are created in. */
  namespace: string;
  /** How long start waits for KubeRay to report the cluster ready. */
  readyTimeoutMs: number;
  pollIntervalMs: number;
};

const HEAD = { cpu: 1, memory: '4Gi' };
const GIB = 1024 ** 3;

/** CPU workers of one CPU each (the cluster's CPUs), GPU workers of one GPU each. */
export function kubeRayClusterInput(
  cluster: Pick<StoredCluster, 'name' | 'owner'>,
  spec: RayClusterSpec,
  namespace: string,
): RayClusterInput {
  const workers = Math.max(1, Math.ceil(spec.cpus));
  const memoryPerWorker = spec.memoryBytes
    ? `${Math.max(1, Math.floor(spec.memoryBytes / workers / GIB))}Gi`
    : '4Gi';
  return {
    name: cluster.name,
    namespace,
    owner: cluster.owner,
    head: HEAD,
    cpuWorkers: {
      cpu: 1,
      memory: memoryPerWorker,
      replicas: workers,
      minReplicas: 0,
      maxReplicas: workers,
    },
    gpuWorkers:
      spec.gpus > 0
        ? {
            cpu: 1,
            memory: memoryPerWorker,
            gpusPerWorker: 1,
            replicas: spec.gpus,
            minReplicas: 0,
            maxReplicas: spec.gpus,
          }
        : undefined,
    autoscaling:
      spec.idleTimeoutSeconds > 0
        ? { enabled: true, idleTimeoutSeconds: spec.idleTimeoutSeconds }
        : undefined,
  };
}

/** A team's RayCluster on Kubernetes through KubeRay. */
export class KubeRayDriver implements ClusterDriver {
  constructor(private readonly options: KubeRayDriverOptions) {}

  async validate(cluster: StoredCluster): Promise<void> {
    // Throws InputError for what KubeRay would refuse (names, sizes).
    buildRayCluster(
      kubeRayClusterInput(cluster, cluster.spec, this.options.namespace),
    );
  }

  async start(cluster: StoredCluster): Promise<ClusterConnection> {
    const { api, namespace, readyTimeoutMs, pollIntervalMs } = this.options;
    await api.create(
      buildRayCluster(kubeRayClusterInput(cluster, cluster.spec, namespace)),
    );
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const status = await api.getStatus('RayCluster', namespace, cluster.name);
      if (status.ready && status.dashboardUrl) {
        const token = await api.readDashboardToken(
          'RayCluster',
          namespace,
          cluster.name,
        );
        return { dashboardUrl: status.dashboardUrl, token };
      }
      if (status.phase === 'failed' || Date.now() > deadline) {
        throw new Error(
          `RayCluster "${
            cluster.name
          }" in namespace "${namespace}" is not ready (${status.phase}): ${
            status.message ?? 'no message from KubeRay'
          }`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
    }
  }

  async stop(cluster: StoredCluster): Promise<void> {
    await this.scaleTo(cluster, { ...cluster.spec, cpus: 0, gpus: 0 });
  }

  async scale(
    cluster: StoredCluster,
    spec: RayClusterSpec,
  ): Promise<ClusterConnection> {
    if (spec.gpus > 0 && cluster.spec.gpus === 0) {
      throw new InputError(
        `Ray cluster "${cluster.name}" was created without a GPU worker group; create a new cluster with GPUs`,
      );
    }
    await this.scaleTo(cluster, spec);
    return {
      dashboardUrl: cluster.dashboardUrl ?? '',
      token: cluster.token,
    };
  }

  async delete(cluster: StoredCluster): Promise<void> {
    await this.options.api.delete(
      'RayCluster',
      this.options.namespace,
      cluster.name,
    );
  }

  isRunning(cluster: StoredCluster): boolean {
    return cluster.state === 'ready' || cluster.state === 'starting';
  }

  async close(): Promise<void> {}

  private async scaleTo(cluster: StoredCluster, spec: RayClusterSpec) {
    const { api, namespace } = this.options;
    // An autoscaled cluster (idle timeout set) picks its replicas itself between 0 and the max.
    const autoscaled = cluster.spec.idleTimeoutSeconds > 0;
    const size = (count: number) =>
      autoscaled
        ? { minReplicas: 0, maxReplicas: count }
        : { replicas: count, minReplicas: 0, maxReplicas: Math.max(count, 1) };
    await api.scaleWorkerGroup(
      namespace,
      cluster.name,
      CPU_WORKER_GROUP,
      size(Math.ceil(spec.cpus)),
    );
    if (cluster.spec.gpus > 0) {
      await api.scaleWorkerGroup(
        namespace,
        cluster.name,
        GPU_WORKER_GROUP,
        size(spec.gpus),
      );
    }
  }
}
