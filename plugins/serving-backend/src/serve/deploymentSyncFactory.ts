import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentSync } from './DeploymentSync';
import { RayServeDeploymentSync } from './RayServeDeploymentSync';

/** Makes the plugin's {@link DeploymentSync} once its store exists. */
export type DeploymentSyncFactory = {
  create(deps: {
    rayClusters: RayClustersService;
    store: DatabaseDeploymentStore;
  }): DeploymentSync;
};

/**
 * How the serving plugin reaches Ray Serve; by default the Serve REST API of each cluster.
 * Replaceable (tests record the syncs instead of deploying on Ray).
 */
export const deploymentSyncFactoryRef = createServiceRef<DeploymentSyncFactory>(
  {
    id: 'serving.deployment-sync',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) => ({
          create: ({ rayClusters, store }) =>
            new RayServeDeploymentSync({
              rayClusters,
              store,
              envVars: (): Record<string, string> => {
                const trackingUri = config.getOptionalString(
                  'mlops.mlflow.trackingUrl',
                );
                // TODO(serving): the team's MLflow user (MLFLOW_TRACKING_USERNAME/PASSWORD) as
                // the experiments plugin derives it (MlflowTeamAccess.credentials), once that
                // derivation lives in a shared package (@internal/mlops-node).
                return trackingUri ? { MLFLOW_TRACKING_URI: trackingUri } : {};
              },
            }),
        }),
      }),
  },
);
