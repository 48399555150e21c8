import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';

/** What Ray Serve says of a deployment. */
export type ObservedDeployment = Pick<
  ModelDeploymentDetails,
  'state' | 'message' | 'endpoint'
> & {
  /** Serve runs the application and every replica of it: none is starting or stopping. */
  replicasSettled?: boolean;
};

/**
 * Brings Ray Serve in line with a stored deployment. The routes call it after each change;
 * the stored deployment is the truth, so a failed sync leaves the change stored and the
 * deployment UNHEALTHY with the reason, and the next change (or a retry) syncs again.
 */
export interface DeploymentSync {
  /** Deploys the deployment as it is stored now (versions, weights, live keys). */
  sync(deployment: ModelDeploymentDetails): Promise<ObservedDeployment>;
  /** Removes the deployment's application from its cluster; no-op when it is not there. */
  remove(deployment: ModelDeploymentDetails): Promise<void>;
  /** What Ray Serve reports of the deployment now. */
  observe(deployment: ModelDeploymentDetails): Promise<ObservedDeployment>;
  /**
   * What Ray Serve reports of several deployments of one cluster, by deployment id, from one
   * read of the cluster's applications.
   */
  observeCluster(
    cluster: string,
    deployments: ModelDeploymentDetails[],
  ): Promise<Map<string, ObservedDeployment>>;
}

/** Whether Ray Serve's report differs from what is stored of the deployment. */
export function observationChanged(
  deployment: ModelDeploymentDetails,
  observed: ObservedDeployment,
): boolean {
  return (
    observed.state !== deployment.state ||
    observed.message !== deployment.message ||
    Boolean(observed.endpoint && observed.endpoint !== deployment.endpoint)
  );
}
