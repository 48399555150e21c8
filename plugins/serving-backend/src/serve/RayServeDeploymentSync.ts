import {
  RayClustersService,
  RayServeApplications,
  RayServeHttpOptions,
  ServeApplicationStatus,
} from '@internal/backstage-plugin-ray-clusters-node';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { InferenceLogSettings } from '@internal/mlops-node';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentSync, ObservedDeployment } from './DeploymentSync';
import {
  buildServeApplication,
  serveApplicationName,
} from './ServeApplicationBuilder';

/**
 * {@link DeploymentSync} through Ray Serve's REST API on the deployment's cluster: one
 * application per deployment, written by the merged, per-cluster-locked PUT of
 * `RayServeApplications` (ray-clusters-node).
 */
export class RayServeDeploymentSync implements DeploymentSync {
  constructor(
    private readonly deps: {
      rayClusters: Pick<RayClustersService, 'getClient'>;
      store: DatabaseDeploymentStore;
      /** The replicas' environment of a deployment (MLflow URI and the team's credentials). */
      envVars: (
        deployment: ModelDeploymentDetails,
      ) => Promise<Record<string, string>>;
      /** Serve's HTTP proxy options when a write starts Serve on a cluster. */
      httpOptionsWhenStarting?: RayServeHttpOptions;
      /** The ingress's inference log; off without it. */
      inferenceLog?: InferenceLogSettings;
    },
  ) {}

  async sync(deployment: ModelDeploymentDetails): Promise<ObservedDeployment> {
    const applications = this.applications(deployment);
    const [keys, envVars, draining] = await Promise.all([
      this.deps.store.listLiveApiKeys(deployment.id),
      this.deps.envVars(deployment),
      this.deps.store.getDraining(deployment.id),
    ]);
    await applications.upsert(
      buildServeApplication({
        deployment,
        keys,
        envVars,
        draining,
        inferenceLog: this.deps.inferenceLog,
      }),
    );
    return this.observe(deployment);
  }

  async remove(deployment: ModelDeploymentDetails): Promise<void> {
    await this.applications(deployment).remove(
      serveApplicationName(deployment),
    );
  }

  async observe(
    deployment: ModelDeploymentDetails,
  ): Promise<ObservedDeployment> {
    const applications = this.applications(deployment);
    const [status, endpoint] = await Promise.all([
      applications.get(serveApplicationName(deployment)),
      applications.endpoint(),
    ]);
    return observation(deployment, status, endpoint?.url);
  }

  async observeCluster(
    cluster: string,
    deployments: ModelDeploymentDetails[],
  ): Promise<Map<string, ObservedDeployment>> {
    const applications = this.applications({ cluster });
    const [statuses, endpoint] = await Promise.all([
      applications.list(),
      applications.endpoint(),
    ]);
    const byName = new Map(statuses.map(status => [status.name, status]));
    return new Map(
      deployments.map(deployment => [
        deployment.id,
        observation(
          deployment,
          byName.get(serveApplicationName(deployment)),
          endpoint?.url,
        ),
      ]),
    );
  }

  private applications(deployment: { cluster: string }) {
    return RayServeApplications.forCluster(
      this.deps.rayClusters,
      deployment.cluster,
      { httpOptionsWhenStarting: this.deps.httpOptionsWhenStarting },
    );
  }
}

function observation(
  deployment: ModelDeploymentDetails,
  status: ServeApplicationStatus | undefined,
  endpointUrl: string | undefined,
): ObservedDeployment {
  return {
    ...observedState(status),
    ...(endpointUrl ? { endpoint: `${endpointUrl}/${deployment.name}` } : {}),
    replicasSettled:
      status?.status === 'RUNNING' &&
      status.deployments.every(d =>
        d.replicas.every(replica => replica.state === 'RUNNING'),
      ),
  };
}

/** Ray Serve's application status in the portal's states, with Ray's message. */
export function observedState(
  status: ServeApplicationStatus | undefined,
): Pick<ObservedDeployment, 'state' | 'message'> {
  if (!status) {
    return {
      state: 'UNHEALTHY',
      message:
        'The application is not on the cluster: Ray Serve was restarted or it was removed there',
    };
  }
  const message = status.message || undefined;
  switch (status.status) {
    case 'RUNNING':
      return { state: 'HEALTHY', message };
    case 'NOT_STARTED':
    case 'DEPLOYING':
      return { state: 'DEPLOYING', message };
    case 'DELETING':
      return { state: 'DELETING', message };
    case 'DEPLOY_FAILED':
      return {
        state: 'UNHEALTHY',
        message: `Ray Serve could not deploy it${
          message ? `: ${message}` : ''
        }`,
      };
    default:
      return { state: 'UNHEALTHY', message };
  }
}
