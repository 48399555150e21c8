/**
 * Health of a deployment as Ray Serve reports it; DELETING while it is being torn down.
 *
 * @public
 */
export type ModelDeploymentState =
  | 'DEPLOYING'
  | 'HEALTHY'
  | 'UNHEALTHY'
  | 'DELETING';

/**
 * A registered model version served as a Ray Serve application.
 *
 * @public
 */
export type ModelDeployment = {
  id: string;
  name: string;
  /** Entity ref of the owning team, e.g. "group:default/data-science". */
  owner: string;
  /** Registered model name in MLflow. */
  modelName: string;
  modelVersion: string;
  /** Name of the Ray cluster serving it. */
  cluster: string;
  state: ModelDeploymentState;
  /** Base URL of the inference API once it serves. */
  endpoint?: string;
  createdAt: string;
  updatedAt: string;
};
