import { InputError } from '@backstage/errors';
import { RAY_NODE_ENVIRONMENT } from '../rayNodeEnvironment';
import { assertDnsLabel, toLabelValue } from './names';
import {
  Container,
  ContainerSize,
  DEFAULT_RAY_VERSION,
  GpuWorkerGroupInput,
  ObjectIdentity,
  ObjectMeta,
  PodTemplate,
  PORTAL_LABEL_PREFIX,
  PORTAL_NAME,
  Quantity,
  RayClusterShape,
  RayClusterSpec,
  WorkerGroupInput,
  WorkerGroupSpec,
} from './types';

export const CPU_WORKER_GROUP = 'cpu-workers';
export const GPU_WORKER_GROUP = 'gpu-workers';
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** The head ports KubeRay and Ray expect by name (`dashboard` is how KubeRay finds the dashboard). */
export const HEAD_PORTS = [
  { name: 'gcs-server', containerPort: 6379 },
  { name: 'dashboard', containerPort: 8265 },
  { name: 'client', containerPort: 10001 },
  { name: 'serve', containerPort: 8000 },
];

// The Kubernetes resource.Quantity syntax, as the CRD schemas spell it.
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
const RAY_VERSION = /^\d+\.\d+\.\d+$/;

function assertQuantity(field: string, value: unknown): Quantity {
  const valid =
    (typeof value === 'number' && Number.isFinite(value) && value > 0) ||
    (typeof value === 'string' &&
      QUANTITY.test(value) &&
      parseFloat(value) > 0);
  if (!valid) {
    throw new InputError(
      `${field} must be a positive Kubernetes quantity such as "2", "500m" or "8Gi", not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value as Quantity;
}

function assertCount(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InputError(
      `${field} must be an integer of at least ${min}, not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

/** Labels that identify the portal, the owning team and the cluster on every object we create. */
export function portalMetadata(
  identity: ObjectIdentity,
  profile: 'team-cluster' | 'job-cluster' | 'serving',
  nameOptions: { maxLength: number },
): ObjectMeta {
  const name = assertDnsLabel('name', identity.name, {
    maxLength: nameOptions.maxLength,
    startWithLetter: true,
  });
  const namespace = assertDnsLabel('namespace', identity.namespace);
  if (typeof identity.owner !== 'string' || !toLabelValue(identity.owner)) {
    throw new InputError(
      `owner must be the entity ref of the owning team, such as "group:default/ml-team", not ${JSON.stringify(
        identity.owner,
      )}`,
    );
  }
  return {
    name,
    namespace,
    labels: {
      'app.kubernetes.io/managed-by': PORTAL_NAME,
      [`${PORTAL_LABEL_PREFIX}/team`]: toLabelValue(identity.owner),
      [`${PORTAL_LABEL_PREFIX}/cluster`]: name,
    },
    annotations: {
      [`${PORTAL_LABEL_PREFIX}/owner`]: identity.owner,
      [`${PORTAL_LABEL_PREFIX}/profile`]: profile,
    },
  };
}

function containerResources(
  field: string,
  size: ContainerSize,
  gpus?: number,
): Container['resources'] {
  const cpu = assertQuantity(`${field}.cpu`, size?.cpu);
  const memory = assertQuantity(`${field}.memory`, size?.memory);
  const requests: Record<string, Quantity> = { cpu, memory };
  const limits: Record<string, Quantity> = { cpu, memory };
  if (gpus !== undefined) {
    requests[GPU_RESOURCE] = gpus;
    limits[GPU_RESOURCE] = gpus;
  }
  return { requests, limits };
}

function podTemplate(
  shape: RayClusterShape,
  labels: Record<string, string>,
  container: Container,
  placement?: Pick<GpuWorkerGroupInput, 'nodeSelector' | 'tolerations'>,
): PodTemplate {
  const env = Object.entries(RAY_NODE_ENVIRONMENT).map(([name, value]) => ({
    name,
    value,
  }));
  const spec: PodTemplate['spec'] = { containers: [{ ...container, env }] };
  if (shape.serviceAccountName) {
    spec.serviceAccountName = assertDnsLabel(
      'serviceAccountName',
      shape.serviceAccountName,
      { maxLength: 253 },
    );
  }
  if (shape.imagePullSecrets?.length) {
    spec.imagePullSecrets = shape.imagePullSecrets.map(name => ({ name }));
  }
  if (placement?.nodeSelector && Object.keys(placement.nodeSelector).length) {
    spec.nodeSelector = { ...placement.nodeSelector };
  }
  if (placement?.tolerations?.length) {
    spec.tolerations = placement.tolerations.map(t => ({ ...t }));
  }
  return { metadata: { labels: { ...labels } }, spec };
}

function workerGroup(
  field: string,
  groupName: string,
  input: WorkerGroupInput,
  autoscaling: boolean,
  build: (
    replicas: number,
  ) => Omit<
    WorkerGroupSpec,
    'groupName' | 'replicas' | 'minReplicas' | 'maxReplicas'
  >,
): WorkerGroupSpec {
  const minReplicas = assertCount(
    `${field}.minReplicas`,
    input?.minReplicas,
    0,
  );
  const maxReplicas = assertCount(
    `${field}.maxReplicas`,
    input?.maxReplicas,
    0,
  );
  if (maxReplicas < minReplicas) {
    throw new InputError(
      `${field}.maxReplicas (${maxReplicas}) must not be below ${field}.minReplicas (${minReplicas})`,
    );
  }
  const replicas = assertCount(
    `${field}.replicas`,
    input.replicas ?? minReplicas,
    0,
  );
  if (replicas < minReplicas || replicas > maxReplicas) {
    throw new InputError(
      `${field}.replicas (${replicas}) must lie between minReplicas (${minReplicas}) and maxReplicas (${maxReplicas})`,
    );
  }
  if (!autoscaling && replicas === 0 && maxReplicas > 0) {
    // Without the autoscaler nothing would ever start these workers.
    throw new InputError(
      `${field}.replicas is 0 and autoscaling is off, so the group would never get a worker; set replicas or enable autoscaling`,
    );
  }
  return { groupName, replicas, minReplicas, maxReplicas, ...build(replicas) };
}

/**
 * The `spec` of a RayCluster (also used as a RayJob's rayClusterSpec and a RayService's
 * rayClusterConfig): a head, a CPU worker group, an optional GPU worker group, optional in-tree
 * autoscaling, and Ray token authentication, for which KubeRay generates the token Secret.
 */
export function buildRayClusterSpec(
  shape: RayClusterShape,
  podLabels: Record<string, string>,
): RayClusterSpec {
  if (!shape || typeof shape !== 'object') {
    throw new InputError('cluster shape (head, cpuWorkers) is required');
  }
  const rayVersion = shape.rayVersion ?? DEFAULT_RAY_VERSION;
  if (!RAY_VERSION.test(rayVersion)) {
    throw new InputError(
      `rayVersion must look like "2.60.0", not ${JSON.stringify(rayVersion)}`,
    );
  }
  const image = shape.image ?? `rayproject/ray:${rayVersion}`;
  const gpuImage = shape.gpuImage ?? `rayproject/ray:${rayVersion}-gpu`;
  const autoscaling = shape.autoscaling?.enabled ?? false;

  const cpuGroup = workerGroup(
    'cpuWorkers',
    CPU_WORKER_GROUP,
    shape.cpuWorkers,
    autoscaling,
    () => ({
      rayStartParams: {},
      template: podTemplate(shape, podLabels, {
        name: 'ray-worker',
        image,
        resources: containerResources('cpuWorkers', shape.cpuWorkers),
      }),
    }),
  );
  const groups = [cpuGroup];
  if (shape.gpuWorkers) {
    const gpu = shape.gpuWorkers;
    const gpus = assertCount('gpuWorkers.gpusPerWorker', gpu.gpusPerWorker, 1);
    groups.push(
      workerGroup('gpuWorkers', GPU_WORKER_GROUP, gpu, autoscaling, () => ({
        rayStartParams: {},
        template: podTemplate(
          shape,
          podLabels,
          {
            name: 'ray-worker',
            image: gpuImage,
            resources: containerResources('gpuWorkers', gpu, gpus),
          },
          gpu,
        ),
      })),
    );
  }
  const hasWorkers = groups.some(g => g.maxReplicas > 0);

  const spec: RayClusterSpec = {
    rayVersion,
    enableInTreeAutoscaling: autoscaling,
    authOptions: { mode: 'token' },
    headGroupSpec: {
      // With workers available the head only coordinates; tasks and actors go to workers.
      rayStartParams: hasWorkers ? { 'num-cpus': '0' } : {},
      template: podTemplate(shape, podLabels, {
        name: 'ray-head',
        image,
        ports: HEAD_PORTS.map(p => ({ ...p })),
        resources: containerResources('head', shape.head),
      }),
    },
    workerGroupSpecs: groups,
  };
  if (autoscaling) {
    const idle = shape.autoscaling?.idleTimeoutSeconds;
    spec.autoscalerOptions = {
      upscalingMode: 'Default',
      ...(idle !== undefined
        ? {
            idleTimeoutSeconds: assertCount(
              'autoscaling.idleTimeoutSeconds',
              idle,
              1,
            ),
          }
        : {}),
    };
  }
  return spec;
}
