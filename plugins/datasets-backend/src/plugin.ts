import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { datasetsPermissions } from '@internal/backstage-plugin-datasets-common';
import { DatabaseDatasetStore } from './database';
import { createObjectStore } from './objectStore';
import { datasetOwnerRule, datasetResourceRef } from './permissionRules';
import { createRouter } from './router';

/**
 * The datasets backend plugin: datasets, their versions and the object store holding their files.
 *
 * @public
 */
export const datasetsPlugin = createBackendPlugin({
  pluginId: 'datasets',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        config,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
      }) {
        const datasets = await DatabaseDatasetStore.create(database);
        permissionsRegistry.addPermissions(datasetsPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: datasetResourceRef,
          rules: [datasetOwnerRule],
          getResources: ids => datasets.getByIds(ids),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            permissionsRegistry,
            datasets,
            objectStore: createObjectStore(config),
          }),
        );
      },
    });
  },
});
