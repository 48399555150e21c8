import { ConflictError, InputError } from '@backstage/errors';
import { RayDashboardClient, RayUnavailableError } from '../RayDashboardClient';
import type { RayClustersService } from '../rayClustersService';
import { KeyedMutex } from './keyedMutex';
import { plainServeMessage } from './plainMessage';
import {
  RayServeApplicationDetails,
  RayServeDeployConfig,
  RayServeHttpOptions,
  RayServeInstanceDetails,
  ServeApplicationConfig,
} from './rayServeSchema';
import {
  ServeApplicationStatus,
  ServeApplicationStatusName,
  ServeHttpEndpoint,
} from './types';

/** What Ray's dashboard shows instead of a runtime_env value to a browser, and what list() shows. */
const REDACTED = '<redacted>';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * Serializes the read-modify-write of each cluster's Serve config within this process.
 * PUT /api/serve/applications/ replaces every application, so two writers interleaving their
 * GET and PUT would drop each other's application. A backend with several replicas needs a
 * lock all of them share (a database row lock per cluster); that is left for later.
 */
const serveConfigLocks = new KeyedMutex();

/**
 * Options of {@link RayServeApplications}.
 *
 * @public
 */
export type RayServeApplicationsOptions = {
  /** The cluster's name: the key of the per-cluster lock and the name errors give. */
  cluster: string;
  client: RayDashboardClient;
  /**
   * Serve's HTTP proxy settings when a write starts Serve (it is not running yet). Serve cannot
   * change them while it runs, so a running Serve keeps its own. Serve's default: 127.0.0.1:8000.
   */
  httpOptionsWhenStarting?: RayServeHttpOptions;
};

/**
 * The Ray Serve applications of one cluster, through Serve's REST API on its dashboard. Writes
 * change exactly one application and keep every other one (and Serve's HTTP, gRPC and proxy
 * options) as they are.
 *
 * @public
 */
export class RayServeApplications {
  /** The applications of a cluster the {@link RayClustersService} knows; NotFoundError for others. */
  static forCluster(
    rayClusters: Pick<RayClustersService, 'getClient'>,
    cluster: string,
    options: Pick<RayServeApplicationsOptions, 'httpOptionsWhenStarting'> = {},
  ): RayServeApplications {
    return new RayServeApplications({
      ...options,
      cluster,
      client: rayClusters.getClient(cluster),
    });
  }

  constructor(private readonly options: RayServeApplicationsOptions) {}

  /** The cluster's Serve applications, by name; empty when Serve is not running. */
  async list(): Promise<ServeApplicationStatus[]> {
    const details = await this.options.client.getServeInstanceDetails();
    return Object.values(details.applications ?? {})
      .map(describeApplication)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One application; undefined when the cluster has none of that name. */
  async get(name: string): Promise<ServeApplicationStatus | undefined> {
    const details = await this.options.client.getServeInstanceDetails();
    const app = details.applications?.[name];
    return app && describeApplication(app);
  }

  /**
   * Deploys `app`, replacing the application of the same name or adding it. Ray accepts the
   * config before it builds the application: a failed build (say, an import path that does not
   * import) shows later as status DEPLOY_FAILED with Ray's message. A change of nothing but
   * `user_config` reaches the running replicas without a restart.
   *
   * InputError for a config Ray (or this check) rejects; ConflictError when another application
   * has the route prefix, or when one cannot be carried over (deployed with `serve.run`);
   * RayUnavailableError when Ray cannot be reached.
   */
  async upsert(app: ServeApplicationConfig): Promise<void> {
    this.checkApplication(app);
    await this.rewrite(app.name, current => {
      const clash = current.find(
        other =>
          other.name !== app.name &&
          routePrefixOf(other) === routePrefixOf(app),
      );
      if (clash) {
        throw new ConflictError(
          `Serve application "${clash.name}" on cluster "${
            this.options.cluster
          }" already has the route prefix ${routePrefixOf(app)}`,
        );
      }
      const index = current.findIndex(other => other.name === app.name);
      return index < 0
        ? [...current, app]
        : current.map((other, i) => (i === index ? app : other));
    });
  }

  /** Removes one application; false when the cluster had none of that name (nothing written). */
  async remove(name: string): Promise<boolean> {
    let found = false;
    await this.rewrite(name, current => {
      found = current.some(app => app.name === name);
      return found ? current.filter(app => app.name !== name) : undefined;
    });
    return found;
  }

  /**
   * Where Serve's HTTP proxy answers; undefined while Serve is not running (then the first
   * write starts it with `httpOptionsWhenStarting`, or Serve's default 127.0.0.1:8000).
   */
  async endpoint(): Promise<ServeHttpEndpoint | undefined> {
    const details = await this.options.client.getServeInstanceDetails();
    if (!isServeRunning(details)) {
      return undefined;
    }
    const http = details.http_options ?? {};
    const host = http.host ?? '127.0.0.1';
    const port = http.port ?? 8000;
    const dashboardHost = new URL(this.options.client.dashboardUrl).hostname;
    const reachHost =
      WILDCARD_HOSTS.has(host) || LOOPBACK_HOSTS.has(host)
        ? dashboardHost
        : hostForUrl(host);
    const rootPath = (http.root_path ?? '').replace(/\/+$/, '');
    return {
      url: `http://${reachHost}:${port}${rootPath}`,
      host,
      port,
      loopbackOnly:
        LOOPBACK_HOSTS.has(host) && !LOOPBACK_HOSTS.has(dashboardHost),
    };
  }

  /**
   * Under the cluster's lock: reads the whole Serve config, lets `change` edit its applications
   * (undefined: nothing to write), and writes it back with Serve's options as they were.
   */
  private async rewrite(
    name: string,
    change: (
      current: ServeApplicationConfig[],
    ) => ServeApplicationConfig[] | undefined,
  ): Promise<void> {
    const { cluster, client } = this.options;
    await serveConfigLocks.run(cluster, async () => {
      const details = await client.getServeInstanceDetails();
      const applications = change(this.currentConfigs(details, name));
      if (!applications) {
        return;
      }
      const config: RayServeDeployConfig = { applications };
      if (isServeRunning(details)) {
        // Serve ignores changed HTTP options while it runs: send back what it reported.
        copyDefined(details, config, [
          'http_options',
          'grpc_options',
          'proxy_location',
          'target_capacity',
        ]);
      } else if (this.options.httpOptionsWhenStarting) {
        config.http_options = this.options.httpOptionsWhenStarting;
      }
      try {
        await client.putServeApplications(config);
      } catch (error) {
        if (error instanceof RayUnavailableError && error.status === 400) {
          // Ray's answer quotes the config, secrets included: name the application, not the answer.
          throw new InputError(
            `Ray Serve on cluster "${cluster}" rejected the config of application "${name}" (HTTP 400): check its fields (route_prefix, import_path, deployments, replicas); the Ray dashboard's log has Ray's reason`,
          );
        }
        throw error;
      }
    });
  }

  /** The deployed config of every application, in Ray's order; refuses to drop any but `name`. */
  private currentConfigs(
    details: RayServeInstanceDetails,
    name: string,
  ): ServeApplicationConfig[] {
    const configs: ServeApplicationConfig[] = [];
    for (const app of Object.values(details.applications ?? {})) {
      if (app.status === 'DELETING') {
        // On its way out: writing it back would bring it back.
        continue;
      }
      if (app.deployed_app_config) {
        configs.push(app.deployed_app_config);
      } else if (app.name !== name) {
        const why =
          app.source === 'imperative'
            ? "was deployed with serve.run, not through Serve's REST API"
            : 'has no deployed config yet (it is being deployed); try again in a few seconds';
        throw new ConflictError(
          `Serve application "${app.name}" on cluster "${this.options.cluster}" ${why}: the portal cannot rewrite the cluster's Serve config without removing it`,
        );
      }
    }
    return configs;
  }

  private checkApplication(app: ServeApplicationConfig): void {
    const problem = (what: string) =>
      new InputError(`Serve application config: ${what}`);
    if (typeof app?.name !== 'string' || app.name.trim() === '') {
      throw problem('name must be a non-empty string');
    }
    if (typeof app.import_path !== 'string' || app.import_path.trim() === '') {
      throw problem(
        `import_path of "${app.name}" must name the application builder, as "module:attribute"`,
      );
    }
    const prefix = app.route_prefix;
    if (
      prefix !== undefined &&
      (typeof prefix !== 'string' ||
        !prefix.startsWith('/') ||
        (prefix !== '/' && prefix.endsWith('/')) ||
        /[{}\s]/.test(prefix))
    ) {
      throw problem(
        `route_prefix of "${app.name}" must start with "/", not end with "/" and hold no braces or spaces`,
      );
    }
    const envVars = app.runtime_env?.env_vars ?? {};
    const redacted = Object.keys(envVars).filter(
      key => envVars[key] === REDACTED,
    );
    if (redacted.length) {
      throw problem(
        `runtime_env.env_vars of "${
          app.name
        }" holds the placeholder ${REDACTED} for ${redacted.join(
          ', ',
        )}: give the real values (list() never returns them)`,
      );
    }
  }
}

function routePrefixOf(app: ServeApplicationConfig): string {
  return app.route_prefix ?? '/';
}

function isServeRunning(details: RayServeInstanceDetails): boolean {
  return details.http_options !== undefined && details.http_options !== null;
}

function copyDefined<K extends string>(
  from: Partial<Record<K, unknown>>,
  to: Partial<Record<K, unknown>>,
  keys: K[],
): void {
  for (const key of keys) {
    if (from[key] !== undefined && from[key] !== null) {
      to[key] = from[key];
    }
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function redactEnvVars(config: ServeApplicationConfig): ServeApplicationConfig {
  const envVars = config.runtime_env?.env_vars;
  if (!envVars) {
    return config;
  }
  return {
    ...config,
    runtime_env: {
      ...config.runtime_env,
      env_vars: Object.fromEntries(
        Object.keys(envVars).map(key => [key, REDACTED]),
      ),
    },
  };
}

function describeApplication(
  app: RayServeApplicationDetails,
): ServeApplicationStatus {
  return {
    name: app.name,
    status: app.status as ServeApplicationStatusName,
    message: plainServeMessage(app.message),
    routePrefix: app.route_prefix ?? undefined,
    lastDeployedAt: app.last_deployed_time_s
      ? new Date(app.last_deployed_time_s * 1000).toISOString()
      : undefined,
    deployments: Object.values(app.deployments ?? {}).map(deployment => {
      const replicas = (deployment.replicas ?? []).map(replica => ({
        id: replica.replica_id,
        state: replica.state,
        nodeIp: replica.node_ip ?? undefined,
      }));
      return {
        name: deployment.name,
        status: deployment.status,
        message: plainServeMessage(deployment.message),
        targetReplicas: deployment.target_num_replicas,
        runningReplicas: replicas.filter(r => r.state === 'RUNNING').length,
        replicas,
      };
    }),
    config: app.deployed_app_config
      ? redactEnvVars(app.deployed_app_config)
      : undefined,
    source: app.source,
  };
}
