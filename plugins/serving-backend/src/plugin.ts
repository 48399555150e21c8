import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { PrometheusClient } from '@internal/mlops-node';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import { servingPermissions } from '@internal/backstage-plugin-serving-common';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import {
  modelDeploymentOwnerRule,
  modelDeploymentResourceRef,
} from './permissionRules';
import { observeDeployments } from './metrics';
import { createRouter } from './router';
import { DeploymentReconciler } from './serve/DeploymentReconciler';
import { deploymentSyncFactoryRef } from './serve/deploymentSyncFactory';
import { ApiKeyUsageRecorder } from './service/ApiKeyUsageRecorder';
import { modelRegistryRef } from './service/ModelRegistry';

/**
 * The serving backend plugin: model versions deployed on Ray Serve.
 *
 * @public
 */
export const servingPlugin = createBackendPlugin({
  pluginId: 'serving',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        metrics: metricsServiceRef,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
        rayClusters: rayClustersServiceRef,
        syncFactory: deploymentSyncFactoryRef,
        registry: modelRegistryRef,
      },
      async init({
        config,
        metrics,
        database,
        httpAuth,
        httpRouter,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
        userInfo,
        rayClusters,
        syncFactory,
        registry,
      }) {
        const store = await DatabaseDeploymentStore.create({ database });
        permissionsRegistry.addPermissions(servingPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: modelDeploymentResourceRef,
          rules: [modelDeploymentOwnerRule],
          getResources: ids => store.getDeployments(ids),
        });
        observeDeployments(metrics, () => store.countByState(), logger);
        const sync = syncFactory.create({ rayClusters, store, registry });
        const prometheus = PrometheusClient.fromConfig(config);
        httpRouter.use(
          await createRouter({
            httpAuth,
            userInfo,
            logger,
            permissions,
            permissionsRegistry,
            rayClusters,
            store,
            sync,
            registry,
            prometheus,
          }),
        );
        await new DeploymentReconciler({ store, sync, logger }).schedule(
          scheduler,
        );
        if (prometheus) {
          await new ApiKeyUsageRecorder({ prometheus, store, logger }).schedule(
            scheduler,
          );
        }
      },
    });
  },
});
