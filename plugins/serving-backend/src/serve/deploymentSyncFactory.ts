import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';
import { readInferenceLogSettings } from '@internal/mlops-node';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { ModelRegistry } from '../service/ModelRegistry';
import { DeploymentSync } from './DeploymentSync';
import { RayServeDeploymentSync } from './RayServeDeploymentSync';

/** Makes the plugin's {@link DeploymentSync} once its store exists. */
export type DeploymentSyncFactory = {
  create(deps: {
    rayClusters: RayClustersService;
    store: DatabaseDeploymentStore;
    registry: ModelRegistry;
  }): DeploymentSync;
};

/**
 * How the serving plugin reaches Ray Serve; by default the Serve REST API of each cluster, the
 * replicas reading the model from MLflow as the team's MLflow user. Serve's HTTP proxy, when the
 * portal starts Serve on a cluster: `mlops.serving.serveHttp.host` / `.port` (Serve's default
 * 127.0.0.1:8000); the ingress's inference log: `mlops.serving.inferenceLog`. Replaceable (tests record the syncs instead of deploying on Ray).
 */
export const deploymentSyncFactoryRef = createServiceRef<DeploymentSyncFactory>(
  {
    id: 'serving.deployment-sync',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { config: coreServices.rootConfig },
        factory: ({ config }) => {
          const http = config.getOptionalConfig('mlops.serving.serveHttp');
          const httpOptionsWhenStarting = http && {
            host: http.getOptionalString('host') ?? '127.0.0.1',
            port: http.getOptionalNumber('port') ?? 8000,
          };
          const inferenceLog = readInferenceLogSettings(config);
          return {
            create: ({ rayClusters, store, registry }) =>
              new RayServeDeploymentSync({
                rayClusters,
                store,
                envVars: deployment =>
                  registry.replicaEnv(deployment.owner, deployment.modelName),
                httpOptionsWhenStarting,
                inferenceLog,
              }),
          };
        },
      }),
  },
);
