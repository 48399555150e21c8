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
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        rayClusters: rayClustersServiceRef,
      },
      async init({
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        rayClusters,
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
            permissions,
            permissionsRegistry,
            rayClusters,
            store,
          }),
        );
      },
    });
  },
});
