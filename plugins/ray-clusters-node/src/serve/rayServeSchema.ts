/**
 * Ray Serve's REST API on the wire (Ray 2.x, `ray.serve.schema`): the part the portal reads and
 * writes. Names are Serve's own (snake_case) since these objects go to and come from Ray as they are.
 */

/**
 * A JSON object as Serve accepts it in `args`, `user_config` and the like.
 *
 * @public
 */
export type ServeJsonObject = { [key: string]: unknown };

/**
 * One deployment's overrides inside an application (`DeploymentSchema`); unset options keep the
 * values the application's code gives them.
 *
 * @public
 */
export type ServeDeploymentConfig = {
  name: string;
  num_replicas?: number | 'auto';
  autoscaling_config?: {
    min_replicas?: number;
    max_replicas?: number;
    target_ongoing_requests?: number;
  } & ServeJsonObject;
  ray_actor_options?: {
    num_cpus?: number;
    num_gpus?: number;
    memory?: number;
    resources?: Record<string, number>;
  } & ServeJsonObject;
  /** Live: a change reaches the running replicas through `reconfigure`, without a restart. */
  user_config?: ServeJsonObject;
  max_ongoing_requests?: number;
} & ServeJsonObject;

/**
 * One Serve application as the portal deploys it (an entry of `applications` in Serve's config,
 * `ServeApplicationSchema`), e.g. the serving contract's
 * `{name: "mlops-<slug>", route_prefix: "/<slug>", import_path: "mlops_runtime.serve.app:build_app",
 * runtime_env, args, deployments: [{name: "Ingress", user_config}]}`.
 *
 * @public
 */
export type ServeApplicationConfig = {
  /** Unique on the cluster; the key upsert and remove go by. */
  name: string;
  /** Unique on the cluster; starts with "/". Serve's default is "/". */
  route_prefix?: string;
  /** "module:attribute" (or "module.attribute"), importable on the cluster's workers. */
  import_path: string;
  runtime_env?: { env_vars?: Record<string, string> } & ServeJsonObject;
  /** Passed to the application builder named by `import_path`. */
  args?: ServeJsonObject;
  deployments?: ServeDeploymentConfig[];
} & ServeJsonObject;

/**
 * Serve's HTTP proxy settings (`HTTPOptionsSchema`); fixed while Serve runs.
 *
 * @public
 */
export type RayServeHttpOptions = {
  host?: string;
  port?: number;
  root_path?: string;
} & ServeJsonObject;

/**
 * The body of `PUT /api/serve/applications/` (`ServeDeploySchema`).
 *
 * @public
 */
export type RayServeDeployConfig = {
  applications: ServeApplicationConfig[];
  http_options?: RayServeHttpOptions;
  grpc_options?: ServeJsonObject;
  proxy_location?: string;
  target_capacity?: number | null;
} & ServeJsonObject;

/** @public */
export type RayServeReplicaDetails = {
  replica_id: string;
  state: string;
  node_ip?: string | null;
} & ServeJsonObject;

/** @public */
export type RayServeDeploymentDetails = {
  name: string;
  /** UPDATING, HEALTHY, UNHEALTHY, DEPLOY_FAILED, UPSCALING or DOWNSCALING. */
  status: string;
  status_trigger?: string;
  message: string;
  deployment_config?: ServeJsonObject;
  target_num_replicas: number;
  replicas: RayServeReplicaDetails[];
} & ServeJsonObject;

/** @public */
export type RayServeApplicationDetails = {
  name: string;
  route_prefix?: string | null;
  status: string;
  message: string;
  last_deployed_time_s: number;
  /** Null for applications deployed with `serve.run` (imperative), while deleting, or briefly after a deploy. */
  deployed_app_config?: ServeApplicationConfig | null;
  /** "declarative" (the REST API / config files) or "imperative" (`serve.run`). */
  source?: string;
  deployments: Record<string, RayServeDeploymentDetails>;
} & ServeJsonObject;

/**
 * The answer of `GET /api/serve/applications/` (`ServeInstanceDetails`). Without Serve running,
 * `applications` is empty and the option fields are absent.
 *
 * @public
 */
export type RayServeInstanceDetails = {
  applications: Record<string, RayServeApplicationDetails>;
  http_options?: RayServeHttpOptions;
  grpc_options?: ServeJsonObject;
  proxy_location?: string | null;
  target_capacity?: number | null;
  controller_info?: ServeJsonObject;
} & ServeJsonObject;
