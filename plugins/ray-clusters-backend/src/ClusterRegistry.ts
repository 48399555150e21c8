import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CreateRayClusterRequest,
  RayCluster,
  RayClusterDriver,
  RayClusterSpec,
  ScaleRayClusterRequest,
} from '@internal/backstage-plugin-ray-clusters-common';
import {
  describeCluster,
  RayClusterAccess,
  RayClusterInfo,
  RayClusterProvisioner,
  RayDashboardClient,
  summarizeResources,
} from '@internal/backstage-plugin-ray-clusters-node';
import { EndpointGuard } from '@internal/mlops-node';
import { randomBytes } from 'node:crypto';
import { TeamQuota } from './config';
import { ClusterStore, StoredCluster } from './database/ClusterStore';
import { ClusterDriver, ClusterStateReport } from './drivers/types';

const DEFAULT_SPEC: RayClusterSpec = {
  cpus: 1,
  gpus: 0,
  idleTimeoutSeconds: 0,
};

/** Runs one operation per cluster at a time. */
class PerNameQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.tails.set(name, next);
    return next;
  }
}

/**
 * The clusters created through the API: their records (database, cached for synchronous
 * listing), the driver that runs each, and the team quotas that bound them.
 */
export class ClusterRegistry implements RayClusterProvisioner {
  private cache = new Map<string, StoredCluster>();
  private readonly queue = new PerNameQueue();
  private readonly background = new Set<Promise<unknown>>();
  private drivers: Partial<Record<RayClusterDriver, ClusterDriver>> = {};

  constructor(
    private readonly deps: {
      store: ClusterStore;
      quotaOf: (team: string) => TeamQuota;
      /** Names taken by config-defined clusters. */
      reservedNames: () => string[];
      logger: LoggerService;
      /** Checks the addresses of external clusters, which users give, before every request. */
      endpointGuard: EndpointGuard;
    },
  ) {}

  get knex() {
    return this.deps.store.knex;
  }

  /** Drivers get the registry's report function, so they are attached after construction. */
  setDrivers(drivers: Partial<Record<RayClusterDriver, ClusterDriver>>) {
    this.drivers = drivers;
  }

  readonly report: ClusterStateReport = (name, change) => {
    this.track(
      this.update(name, {
        state: change.state,
        message: change.message,
        ...(change.connection && {
          dashboardUrl: change.connection.dashboardUrl,
          token: change.connection.token,
        }),
      }),
    );
  };

  /** Loads the records; local clusters that were running before the backend stopped start again. */
  async init(): Promise<void> {
    for (const cluster of await this.deps.store.list()) {
      this.cache.set(cluster.name, cluster);
    }
    for (const cluster of this.cache.values()) {
      if (
        cluster.driver === 'local' &&
        (cluster.state === 'ready' || cluster.state === 'starting')
      ) {
        await this.driver(cluster).stop(cluster);
        this.track(this.bringUp(cluster.name, 'restarted with the portal'));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.drivers).map(d => d!.close()));
  }

  /** Waits for background starts (tests). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  list(): StoredCluster[] {
    return [...this.cache.values()];
  }

  get(name: string): StoredCluster | undefined {
    return this.cache.get(name);
  }

  listClusters(): RayClusterAccess[] {
    return this.list().map(cluster => ({
      name: cluster.name,
      title: cluster.title,
      owner: cluster.owner,
      driver: cluster.driver,
      ...this.connectionOf(cluster),
    }));
  }

  /** How clients reach the cluster: its address and token, guarded when a user gave the address. */
  private connectionOf(cluster: StoredCluster) {
    return {
      dashboardUrl: cluster.dashboardUrl ?? '',
      token: cluster.token,
      endpointGuard:
        cluster.driver === 'external' ? this.deps.endpointGuard : undefined,
    };
  }

  async create(
    request: CreateRayClusterRequest,
    caller: { userEntityRef: string; ownershipEntityRefs: string[] },
  ): Promise<StoredCluster> {
    const owner =
      request.owner ??
      caller.ownershipEntityRefs.find(ref => ref.startsWith('group:'));
    if (!owner) {
      throw new InputError(
        'owner is required: you belong to no team the cluster could belong to',
      );
    }
    if (!caller.ownershipEntityRefs.includes(owner)) {
      throw new NotAllowedError(
        `You cannot create a Ray cluster for ${owner}: you are not a member of it`,
      );
    }
    const driverName = request.driver ?? 'local';
    if (!this.drivers[driverName]) {
      throw new InputError(
        `The ${driverName} driver is not configured on this portal${
          driverName === 'kuberay' ? ' (mlops.rayClusters.kuberay)' : ''
        }`,
      );
    }
    if (driverName !== 'external' && (request.dashboardUrl || request.token)) {
      throw new InputError(
        'dashboardUrl and token are only given for external clusters',
      );
    }
    if (
      this.deps.reservedNames().includes(request.name) ||
      this.cache.has(request.name)
    ) {
      throw new ConflictError(
        `A Ray cluster named "${request.name}" already exists`,
      );
    }
    const spec: RayClusterSpec = {
      cpus: request.cpus ?? DEFAULT_SPEC.cpus,
      gpus: request.gpus ?? DEFAULT_SPEC.gpus,
      memoryBytes: request.memoryBytes,
      idleTimeoutSeconds:
        request.idleTimeoutSeconds ?? DEFAULT_SPEC.idleTimeoutSeconds,
    };
    const now = new Date().toISOString();
    const cluster: StoredCluster = {
      name: request.name,
      title: request.title ?? request.name,
      owner,
      driver: driverName,
      spec,
      state: 'starting',
      message: 'Starting',
      dashboardUrl: request.dashboardUrl?.replace(/\/+$/, ''),
      token: request.token,
      instanceId: randomBytes(6).toString('hex'),
      createdBy: caller.userEntityRef,
      createdAt: now,
      updatedAt: now,
    };
    return this.queue.run(cluster.name, async () => {
      this.checkQuota(owner, cluster, true);
      await this.driver(cluster).validate(cluster);
      if (driverName === 'external') {
        cluster.state = 'ready';
        cluster.message = 'Health check passed';
      }
      await this.deps.store.insert(cluster);
      this.cache.set(cluster.name, cluster);
      if (driverName !== 'external') {
        this.track(this.bringUp(cluster.name, 'started'));
      }
      return cluster;
    });
  }

  async scale(
    name: string,
    request: ScaleRayClusterRequest,
  ): Promise<StoredCluster> {
    return this.queue.run(name, async () => {
      const cluster = this.require(name);
      const spec: RayClusterSpec = {
        cpus: request.cpus ?? cluster.spec.cpus,
        gpus: request.gpus ?? cluster.spec.gpus,
        memoryBytes: request.memoryBytes ?? cluster.spec.memoryBytes,
        idleTimeoutSeconds:
          request.idleTimeoutSeconds ?? cluster.spec.idleTimeoutSeconds,
      };
      this.checkQuota(cluster.owner, { ...cluster, spec }, false);
      const driver = this.driver(cluster);
      if (!driver.isRunning(cluster)) {
        await this.update(name, {
          spec,
          message: `Resized to ${spec.cpus} CPU, ${spec.gpus} GPU; stopped`,
        });
        return this.require(name);
      }
      await this.update(name, {
        spec,
        state: 'starting',
        message: 'Resizing',
      });
      try {
        const connection = await driver.scale(cluster, spec);
        await this.update(name, {
          state: 'ready',
          message: `Resized to ${spec.cpus} CPU, ${spec.gpus} GPU`,
          dashboardUrl: connection.dashboardUrl,
          token: connection.token,
        });
      } catch (error) {
        if (error instanceof ConflictError || error instanceof InputError) {
          await this.update(name, {
            spec: cluster.spec,
            state: cluster.state,
            message: cluster.message,
          });
          throw error;
        }
        await this.update(name, {
          state: 'failed',
          message: `Resize failed: ${(error as Error).message}`,
        });
        throw error;
      }
      return this.require(name);
    });
  }

  /** Starts a stopped or failed cluster and waits until it answers. */
  async ensureRunning(name: string): Promise<void> {
    const cluster = this.require(name);
    if (this.driver(cluster).isRunning(cluster) && cluster.state === 'ready') {
      return;
    }
    await this.bringUp(name, 'started');
    const after = this.require(name);
    if (after.state !== 'ready') {
      throw new Error(`Ray cluster "${name}" did not start: ${after.message}`);
    }
  }

  async stop(name: string): Promise<StoredCluster> {
    return this.queue.run(name, async () => {
      const cluster = this.require(name);
      await this.driver(cluster).stop(cluster);
      await this.update(name, { state: 'stopped', message: 'Stopped' });
      return this.require(name);
    });
  }

  async delete(name: string): Promise<void> {
    await this.queue.run(name, async () => {
      const cluster = this.require(name);
      await this.driver(cluster).delete(cluster);
      await this.deps.store.delete(name);
      this.cache.delete(name);
    });
  }

  /** For other backends (experiments): owner, state, resources and GPU ceiling. */
  async describe(name: string): Promise<RayClusterInfo> {
    const cluster = this.require(name);
    const info: RayClusterInfo = {
      name,
      owner: cluster.owner,
      state: cluster.state,
      maxGpus: cluster.driver === 'external' ? 0 : cluster.spec.gpus,
      message: cluster.message,
    };
    if (cluster.state !== 'ready' || !cluster.dashboardUrl) return info;
    try {
      const resources = await new RayDashboardClient(
        this.connectionOf(cluster),
      ).getResources();
      return {
        ...info,
        resources,
        maxGpus: Math.max(info.maxGpus, resources.gpus),
      };
    } catch (error) {
      return {
        ...info,
        state: 'unreachable',
        message: (error as Error).message,
      };
    }
  }

  /** The cluster as the API shows it, with Ray's live view while it runs. */
  async toApi(cluster: StoredCluster): Promise<RayCluster> {
    const base: RayCluster = {
      name: cluster.name,
      title: cluster.title,
      owner: cluster.owner,
      driver: cluster.driver,
      source: 'portal',
      dashboardUrl: cluster.dashboardUrl,
      state: cluster.state,
      message: cluster.message,
      spec: cluster.spec,
      createdBy: cluster.createdBy,
      createdAt: cluster.createdAt,
    };
    if (cluster.state !== 'ready' || !cluster.dashboardUrl) return base;
    const live = await describeCluster({
      ...cluster,
      ...this.connectionOf(cluster),
    });
    return {
      ...base,
      state: live.state,
      message:
        live.state === 'ready' && live.rayVersion && live.resources
          ? summarizeResources(live.rayVersion, live.resources)
          : live.message,
      rayVersion: live.rayVersion,
      resources: live.resources,
    };
  }

  /**
   * Every cluster counts towards the team's number of clusters; CPUs and GPUs count only for the
   * clusters the portal provisions (an external cluster's size is not the portal's to give).
   */
  private checkQuota(
    team: string,
    cluster: { name: string; driver: RayClusterDriver; spec: RayClusterSpec },
    adding: boolean,
  ) {
    const quota = this.deps.quotaOf(team);
    const others = this.list().filter(
      c => c.owner === team && c.name !== cluster.name,
    );
    if (adding && others.length + 1 > quota.maxClusters) {
      throw new NotAllowedError(
        `Quota exceeded: ${team} may have ${quota.maxClusters} Ray cluster(s) and has ${others.length}`,
      );
    }
    if (cluster.driver === 'external') return;
    const provisioned = others.filter(c => c.driver !== 'external');
    for (const [key, max, unit] of [
      ['cpus', quota.maxCpus, 'CPU'],
      ['gpus', quota.maxGpus, 'GPU'],
    ] as const) {
      const used = provisioned.reduce((sum, c) => sum + c.spec[key], 0);
      if (used + cluster.spec[key] > max) {
        throw new NotAllowedError(
          `Quota exceeded: ${team} may use ${max} ${unit} in all its clusters; it uses ${used} elsewhere and this cluster asks for ${cluster.spec[key]}`,
        );
      }
    }
  }

  private bringUp(name: string, verb: string): Promise<void> {
    return this.queue.run(name, async () => {
      const cluster = this.require(name);
      const driver = this.driver(cluster);
      if (driver.isRunning(cluster) && cluster.state === 'ready') return;
      await this.update(name, { state: 'starting', message: 'Starting' });
      try {
        const connection = await driver.start(cluster);
        await this.update(name, {
          state: 'ready',
          message: `Ray head ${verb}`,
          dashboardUrl: connection.dashboardUrl,
          token: connection.token,
        });
      } catch (error) {
        const message = (error as Error).message;
        this.deps.logger.error(`Ray cluster ${name} did not start: ${message}`);
        await this.update(name, { state: 'failed', message });
      }
    });
  }

  /**
   * Work that nobody awaits (a driver's report, a start in the background): kept until it settles,
   * and its failure logged rather than left as an unhandled rejection (e.g. a report that arrives
   * while the backend shuts down and the database is gone).
   */
  private track(promise: Promise<unknown>) {
    this.background.add(promise);
    promise
      .catch(error =>
        this.deps.logger.warn(`Ray cluster background work failed: ${error}`),
      )
      .finally(() => this.background.delete(promise));
  }

  private require(name: string): StoredCluster {
    const cluster = this.cache.get(name);
    if (!cluster) throw new NotFoundError(`No Ray cluster named "${name}"`);
    return cluster;
  }

  private driver(cluster: StoredCluster): ClusterDriver {
    const driver = this.drivers[cluster.driver];
    if (!driver) {
      throw new InputError(
        `Ray cluster "${cluster.name}" uses the ${cluster.driver} driver, which is not configured`,
      );
    }
    return driver;
  }

  private async update(
    name: string,
    changes: Parameters<ClusterStore['update']>[1],
  ): Promise<void> {
    const current = this.cache.get(name);
    if (!current) return;
    const next = {
      ...current,
      ...changes,
      updatedAt: new Date().toISOString(),
    };
    this.cache.set(name, next);
    await this.deps.store.update(name, changes);
  }
}
