import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { rayClustersPermissions } from '@internal/backstage-plugin-ray-clusters-common';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import { createRouter } from './router';
import { rayClusterOwnerRule, rayClusterResourceRef } from './permissionRules';

/**
 * The ray-clusters backend plugin: the Ray clusters jobs run on, their resources and status.
 *
 * @public
 */
export const rayClustersPlugin = createBackendPlugin({
  pluginId: 'ray-clusters',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        rayClusters: rayClustersServiceRef,
      },
      async init({
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        rayClusters,
      }) {
        permissionsRegistry.addPermissions(rayClustersPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: rayClusterResourceRef,
          rules: [rayClusterOwnerRule],
          getResources: async names =>
            names.map(name =>
              rayClusters.listClusters().find(c => c.name === name),
            ),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            permissionsRegistry,
            rayClusters,
          }),
        );
      },
    });
  },
});
