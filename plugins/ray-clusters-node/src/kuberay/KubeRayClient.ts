import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { defaultAuthSecretName } from './names';
import {
  DashboardUrlResolver,
  inClusterDashboardUrl,
  KubeRayStatus,
  toKubeRayStatus,
} from './status';
import { KubeRayKind, KubeRayManifest } from './types';

const GROUP = 'ray.io';
const VERSION = 'v1';
const PLURALS: Record<KubeRayKind, string> = {
  RayCluster: 'rayclusters',
  RayJob: 'rayjobs',
  RayService: 'rayservices',
};
/** The key of the Ray token in the Secret KubeRay creates for `authOptions.mode: token`. */
export const AUTH_TOKEN_SECRET_KEY = 'auth_token';

export type WorkerGroupScale = {
  replicas?: number;
  minReplicas?: number;
  maxReplicas?: number;
};

/** What a cluster backend needs from KubeRay; {@link KubeRayClient} implements it. */
export interface KubeRayApi {
  create(manifest: KubeRayManifest): Promise<void>;
  getStatus(
    kind: KubeRayKind,
    namespace: string,
    name: string,
  ): Promise<KubeRayStatus>;
  scaleWorkerGroup(
    namespace: string,
    clusterName: string,
    groupName: string,
    scale: WorkerGroupScale,
  ): Promise<void>;
  delete(kind: KubeRayKind, namespace: string, name: string): Promise<void>;
  /** The Ray token of the cluster behind the object, to call its dashboard. Never log it. */
  readDashboardToken(
    kind: KubeRayKind,
    namespace: string,
    name: string,
  ): Promise<string>;
}

export type KubeRayClientOptions = {
  kubeConfig: KubeConfig;
  /** Field manager recorded on the objects; defaults to `mlops-portal`. */
  fieldManager?: string;
  /** How the portal reaches a head's dashboard; defaults to the in-cluster service DNS name. */
  dashboardUrl?: DashboardUrlResolver;
};

type Target = { kind: KubeRayKind | 'Secret'; namespace: string; name: string };

function serverMessage(error: ApiException<unknown>): string | undefined {
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function describe(target: Target) {
  return `${target.kind} "${target.name}" in namespace "${target.namespace}"`;
}

/**
 * Turns a failed Kubernetes API call into a Backstage error with a message that names the object.
 * Response bodies are not copied except for the API server's own `message`, so nothing secret leaks.
 */
function translateError(error: unknown, verb: string, target: Target): Error {
  if (!(error instanceof ApiException)) {
    const cause = error instanceof Error ? error.message : String(error);
    return new ServiceUnavailableError(
      `Kubernetes API unreachable while trying to ${verb} ${describe(
        target,
      )}: ${cause}`,
    );
  }
  const detail = serverMessage(error);
  const suffix = detail ? `: ${detail}` : '';
  switch (error.code) {
    case 404:
      return new NotFoundError(`${describe(target)} not found`);
    case 409:
      return verb === 'create'
        ? new ConflictError(
            `cluster "${target.name}" already exists in namespace "${target.namespace}" (${target.kind})`,
          )
        : new ConflictError(
            `${describe(target)} changed while trying to ${verb} it${suffix}`,
          );
    case 400:
    case 422:
      return new InputError(
        `Kubernetes rejected the ${target.kind} "${target.name}"${suffix}`,
      );
    case 401:
    case 403:
      return new NotAllowedError(
        `the portal's Kubernetes credentials may not ${verb} ${describe(
          target,
        )}${suffix}`,
      );
    default:
      return new ServiceUnavailableError(
        `Kubernetes API answered ${
          error.code
        } when trying to ${verb} ${describe(target)}${suffix}`,
      );
  }
}

function nonNegativeInteger(field: string, value: number | undefined) {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new InputError(
      `${field} must be an integer of at least 0, not ${JSON.stringify(value)}`,
    );
  }
}

/** The cluster spec and the name of the RayCluster that a RayCluster, RayJob or RayService stands for. */
function clusterBehind(
  kind: KubeRayKind,
  name: string,
  object: any,
): { clusterSpec: any; clusterName?: string } {
  switch (kind) {
    case 'RayCluster':
      return { clusterSpec: object.spec, clusterName: name };
    case 'RayJob':
      return {
        clusterSpec: object.spec?.rayClusterSpec,
        clusterName: object.status?.rayClusterName,
      };
    default:
      return {
        clusterSpec: object.spec?.rayClusterConfig,
        clusterName: object.status?.activeServiceStatus?.rayClusterName,
      };
  }
}

/** RayCluster, RayJob and RayService objects through the Kubernetes API (group ray.io, version v1). */
export class KubeRayClient implements KubeRayApi {
  private readonly customObjects: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly fieldManager: string;
  private readonly dashboardUrl: DashboardUrlResolver;

  constructor(options: KubeRayClientOptions) {
    this.customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.fieldManager = options.fieldManager ?? 'mlops-portal';
    this.dashboardUrl = options.dashboardUrl ?? inClusterDashboardUrl;
  }

  private async call<T>(
    verb: string,
    target: Target,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateError(error, verb, target);
    }
  }

  private ref(kind: KubeRayKind, namespace: string, name: string) {
    return {
      group: GROUP,
      version: VERSION,
      plural: PLURALS[kind],
      namespace,
      name,
    };
  }

  private async getObject(kind: KubeRayKind, namespace: string, name: string) {
    return this.call('read', { kind, namespace, name }, () =>
      this.customObjects.getNamespacedCustomObject(
        this.ref(kind, namespace, name),
      ),
    );
  }

  async create(manifest: KubeRayManifest): Promise<void> {
    const { name, namespace } = manifest.metadata;
    const { plural, group, version } = this.ref(manifest.kind, namespace, name);
    await this.call('create', { kind: manifest.kind, namespace, name }, () =>
      this.customObjects.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: manifest,
        fieldManager: this.fieldManager,
        // Unknown fields are an error, not silently dropped.
        fieldValidation: 'Strict',
      }),
    );
  }

  async getStatus(
    kind: KubeRayKind,
    namespace: string,
    name: string,
  ): Promise<KubeRayStatus> {
    const object = await this.getObject(kind, namespace, name);
    return toKubeRayStatus(kind, object, this.dashboardUrl);
  }

  async scaleWorkerGroup(
    namespace: string,
    clusterName: string,
    groupName: string,
    scale: WorkerGroupScale,
  ): Promise<void> {
    nonNegativeInteger('replicas', scale.replicas);
    nonNegativeInteger('minReplicas', scale.minReplicas);
    nonNegativeInteger('maxReplicas', scale.maxReplicas);
    const cluster = await this.getObject('RayCluster', namespace, clusterName);
    const groups: Array<Record<string, any>> =
      cluster?.spec?.workerGroupSpecs ?? [];
    const index = groups.findIndex(g => g.groupName === groupName);
    if (index < 0) {
      throw new NotFoundError(
        `RayCluster "${clusterName}" in namespace "${namespace}" has no worker group "${groupName}"; it has ${
          groups.map(g => `"${g.groupName}"`).join(', ') || 'none'
        }`,
      );
    }
    if (cluster.spec.enableInTreeAutoscaling && scale.replicas !== undefined) {
      throw new InputError(
        `RayCluster "${clusterName}" scales itself; set minReplicas/maxReplicas instead of replicas`,
      );
    }
    const current = groups[index];
    const next = {
      minReplicas: scale.minReplicas ?? current.minReplicas ?? 0,
      maxReplicas: scale.maxReplicas ?? current.maxReplicas ?? 0,
      replicas: scale.replicas ?? current.replicas ?? 0,
    };
    if (next.minReplicas > next.maxReplicas) {
      throw new InputError(
        `minReplicas (${next.minReplicas}) must not exceed maxReplicas (${next.maxReplicas}) of worker group "${groupName}"`,
      );
    }
    const clamped = Math.min(
      Math.max(next.replicas, next.minReplicas),
      next.maxReplicas,
    );
    if (scale.replicas !== undefined && clamped !== scale.replicas) {
      throw new InputError(
        `replicas (${scale.replicas}) must lie between minReplicas (${next.minReplicas}) and maxReplicas (${next.maxReplicas}) of worker group "${groupName}"`,
      );
    }
    const path = `/spec/workerGroupSpecs/${index}`;
    const patch: Array<Record<string, unknown>> = [
      // Fails with 422 if the groups were reordered since we read them.
      { op: 'test', path: `${path}/groupName`, value: groupName },
      { op: 'add', path: `${path}/minReplicas`, value: next.minReplicas },
      { op: 'add', path: `${path}/maxReplicas`, value: next.maxReplicas },
      { op: 'add', path: `${path}/replicas`, value: clamped },
    ];
    await this.call(
      'scale',
      { kind: 'RayCluster', namespace, name: clusterName },
      () =>
        this.customObjects.patchNamespacedCustomObject(
          {
            ...this.ref('RayCluster', namespace, clusterName),
            body: patch,
            fieldManager: this.fieldManager,
          },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        ),
    );
  }

  async delete(
    kind: KubeRayKind,
    namespace: string,
    name: string,
  ): Promise<void> {
    await this.call('delete', { kind, namespace, name }, () =>
      this.customObjects.deleteNamespacedCustomObject({
        ...this.ref(kind, namespace, name),
        propagationPolicy: 'Background',
      }),
    );
  }

  async readDashboardToken(
    kind: KubeRayKind,
    namespace: string,
    name: string,
  ): Promise<string> {
    const object = await this.getObject(kind, namespace, name);
    const { clusterSpec, clusterName } = clusterBehind(kind, name, object);
    if (clusterSpec?.authOptions?.mode !== 'token') {
      throw new InputError(
        `${kind} "${name}" in namespace "${namespace}" does not use token authentication`,
      );
    }
    if (!clusterName) {
      throw new NotFoundError(
        `${kind} "${name}" in namespace "${namespace}" has no Ray cluster yet; try again once it is running`,
      );
    }
    const secretName: string =
      clusterSpec.authOptions.secretName || defaultAuthSecretName(clusterName);
    const secret = await this.call(
      'read the Ray token Secret',
      { kind: 'Secret', namespace, name: secretName },
      () => this.core.readNamespacedSecret({ namespace, name: secretName }),
    );
    const encoded = secret.data?.[AUTH_TOKEN_SECRET_KEY];
    if (!encoded) {
      throw new NotFoundError(
        `Secret "${secretName}" in namespace "${namespace}" has no "${AUTH_TOKEN_SECRET_KEY}" key`,
      );
    }
    return Buffer.from(encoded, 'base64').toString('utf8');
  }
}
