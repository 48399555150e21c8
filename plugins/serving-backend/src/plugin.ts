import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import { servingPermissions } from '@internal/backstage-plugin-serving-common';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import {
  modelDeploymentOwnerRule,
  modelDeploymentResourceRef,
} from './permissionRules';
import { createRouter } from './router';
import { deploymentSyncFactoryRef } from './serve/deploymentSyncFactory';

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
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        rayClusters: rayClustersServiceRef,
        syncFactory: deploymentSyncFactoryRef,
      },
      async init({
        database,
        httpAuth,
        httpRouter,
        logger,
        permissions,
        permissionsRegistry,
        userInfo,
        rayClusters,
        syncFactory,
      }) {
        const store = await DatabaseDeploymentStore.create({ database });
        permissionsRegistry.addPermissions(servingPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: modelDeploymentResourceRef,
          rules: [modelDeploymentOwnerRule],
          getResources: ids => store.getDeployments(ids),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            userInfo,
            logger,
            permissions,
            permissionsRegistry,
            rayClusters,
            store,
            sync: syncFactory.create({ rayClusters, store }),
          }),
        );
      },
    });
  },
});
