import { KubeRayKind } from './types';

/** A KubeRay object's state, reduced to what the portal shows. */
export type KubeRayStatus = {
  phase: 'pending' | 'ready' | 'running' | 'succeeded' | 'failed' | 'suspended';
  /** The cluster accepts work (RayCluster/RayService) or the job runs (RayJob). */
  ready: boolean;
  dashboardUrl?: string;
  message?: string;
  /** The RayCluster behind a RayJob or RayService. */
  rayClusterName?: string;
};

type Condition = {
  type?: string;
  status?: string;
  message?: string;
  reason?: string;
};
type ClusterStatus = {
  state?: string;
  reason?: string;
  conditions?: Condition[];
  head?: { serviceName?: string };
  endpoints?: Record<string, string>;
};

/** Where the dashboard of a cluster's head service is reached; in-cluster DNS by default. */
export type DashboardUrlResolver = (head: {
  namespace: string;
  serviceName: string;
  port: string;
}) => string;

export const inClusterDashboardUrl: DashboardUrlResolver = head =>
  `http://${head.serviceName}.${head.namespace}.svc.cluster.local:${head.port}`;

function conditionIs(conditions: Condition[] | undefined, type: string) {
  return conditions?.find(c => c.type === type && c.status === 'True');
}

function dashboardOf(
  namespace: string,
  status: ClusterStatus | undefined,
  resolve: DashboardUrlResolver,
): string | undefined {
  const serviceName = status?.head?.serviceName;
  const port = status?.endpoints?.dashboard;
  return serviceName && port
    ? resolve({ namespace, serviceName, port })
    : undefined;
}

function rayClusterStatus(
  namespace: string,
  status: ClusterStatus | undefined,
  resolve: DashboardUrlResolver,
): KubeRayStatus {
  const conditions = status?.conditions;
  const dashboardUrl = dashboardOf(namespace, status, resolve);
  const failure = conditionIs(conditions, 'RayClusterReplicaFailure');
  if (
    status?.state === 'suspended' ||
    conditionIs(conditions, 'RayClusterSuspended')
  ) {
    return {
      phase: 'suspended',
      ready: false,
      message: 'the cluster is suspended',
    };
  }
  if (status?.state === 'failed' || failure) {
    return {
      phase: 'failed',
      ready: false,
      dashboardUrl,
      message: failure?.message || status?.reason || 'the cluster failed',
    };
  }
  const provisioned =
    status?.state === 'ready' ||
    (conditionIs(conditions, 'RayClusterProvisioned') &&
      conditionIs(conditions, 'HeadPodReady'));
  if (provisioned) {
    return { phase: 'ready', ready: true, dashboardUrl };
  }
  const waiting = conditions?.find(c => c.status === 'False' && c.message);
  return {
    phase: 'pending',
    ready: false,
    dashboardUrl,
    message:
      waiting?.message ||
      status?.reason ||
      'waiting for the head and workers to start',
  };
}

function withScheme(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\//.test(url) ? url : `http://${url}`;
}

function rayJobStatus(status: Record<string, any> | undefined): KubeRayStatus {
  const deployment: string = status?.jobDeploymentStatus ?? '';
  const jobStatus: string = status?.jobStatus ?? '';
  const common = {
    dashboardUrl: withScheme(status?.dashboardURL),
    rayClusterName: status?.rayClusterName || undefined,
    message: status?.message || status?.reason || undefined,
  };
  switch (deployment) {
    case 'Running':
      return { phase: 'running', ready: true, ...common };
    case 'Complete':
      return jobStatus === 'SUCCEEDED'
        ? { phase: 'succeeded', ready: false, ...common }
        : {
            phase: 'failed',
            ready: false,
            ...common,
            message:
              common.message ?? `the job ended as ${jobStatus || 'unknown'}`,
          };
    case 'Failed':
    case 'ValidationFailed':
      return { phase: 'failed', ready: false, ...common };
    case 'Suspended':
    case 'Suspending':
      return { phase: 'suspended', ready: false, ...common };
    default:
      return { phase: 'pending', ready: false, ...common };
  }
}

function rayServiceStatus(
  namespace: string,
  status: Record<string, any> | undefined,
  resolve: DashboardUrlResolver,
): KubeRayStatus {
  const active = status?.activeServiceStatus;
  const common = {
    dashboardUrl: dashboardOf(namespace, active?.rayClusterStatus, resolve),
    rayClusterName: active?.rayClusterName || undefined,
  };
  const ready = conditionIs(status?.conditions, 'Ready');
  if (ready) return { phase: 'ready', ready: true, ...common };
  const notReady = (status?.conditions as Condition[] | undefined)?.find(
    c => c.type === 'Ready',
  );
  return {
    phase: 'pending',
    ready: false,
    ...common,
    message:
      notReady?.message ||
      notReady?.reason ||
      'waiting for the Serve applications to become ready',
  };
}

/** Maps the `.status` of a RayCluster, RayJob or RayService to a {@link KubeRayStatus}. */
export function toKubeRayStatus(
  kind: KubeRayKind,
  object: { metadata?: { namespace?: string }; status?: any },
  resolve: DashboardUrlResolver = inClusterDashboardUrl,
): KubeRayStatus {
  const namespace = object.metadata?.namespace ?? '';
  switch (kind) {
    case 'RayCluster':
      return rayClusterStatus(namespace, object.status, resolve);
    case 'RayJob':
      return rayJobStatus(object.status);
    default:
      return rayServiceStatus(namespace, object.status, resolve);
  }
}
