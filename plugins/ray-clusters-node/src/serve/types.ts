import { ServeApplicationConfig } from './rayServeSchema';

/**
 * Ray Serve's application states (`ApplicationStatus`).
 *
 * @public
 */
export type ServeApplicationStatusName =
  | 'NOT_STARTED'
  | 'DEPLOYING'
  | 'DEPLOY_FAILED'
  | 'RUNNING'
  | 'UNHEALTHY'
  | 'DELETING';

/**
 * One deployment of a Serve application, as Ray reports it.
 *
 * @public
 */
export type ServeDeploymentStatus = {
  name: string;
  /** UPDATING, HEALTHY, UNHEALTHY, DEPLOY_FAILED, UPSCALING or DOWNSCALING. */
  status: string;
  /** Ray's message in plain words; empty when Ray has nothing to say. */
  message: string;
  /** The replicas Serve is working towards. */
  targetReplicas: number;
  /** Replicas in state RUNNING. */
  runningReplicas: number;
  /** Every live replica: its id stays the same until Serve restarts or replaces it. */
  replicas: ServeReplica[];
};

/**
 * One replica of a Serve deployment.
 *
 * @public
 */
export type ServeReplica = {
  id: string;
  /** STARTING, UPDATING, RECOVERING, RUNNING, STOPPING, STOPPED or PENDING_MIGRATION. */
  state: string;
  nodeIp?: string;
};

/**
 * A Serve application on a cluster: its state, Ray's message and its deployments.
 *
 * @public
 */
export type ServeApplicationStatus = {
  name: string;
  status: ServeApplicationStatusName;
  /** Ray's message in plain words (a traceback reduced to its exception); empty when none. */
  message: string;
  routePrefix?: string;
  /** When Serve's config was last written (ISO 8601): Ray sets it on every application at each write. */
  lastDeployedAt?: string;
  deployments: ServeDeploymentStatus[];
  /**
   * The config it was deployed with. The values of `runtime_env.env_vars` are replaced with
   * "<redacted>" (they hold credentials); upsert refuses a config that still carries that
   * placeholder. Absent for applications deployed with `serve.run` and while one is deleted.
   */
  config?: ServeApplicationConfig;
  /** "declarative" (Serve's REST API or a config file) or "imperative" (`serve.run`). */
  source?: string;
};

/**
 * Where Serve's HTTP proxy answers, as the portal reaches it.
 *
 * @public
 */
export type ServeHttpEndpoint = {
  /** Base URL of the proxy (with Serve's root_path); an application answers under its route prefix. */
  url: string;
  /** The address the proxy listens on, as Serve reports it (e.g. 127.0.0.1 or 0.0.0.0). */
  host: string;
  port: number;
  /**
   * True when the proxy listens on the loopback interface only while the dashboard is reached
   * over the network: then only programs on the cluster's nodes reach `url`.
   */
  loopbackOnly: boolean;
};
