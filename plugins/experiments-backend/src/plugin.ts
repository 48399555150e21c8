import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { experimentsPermissions } from '@internal/backstage-plugin-experiments-common';
import { readMlflowTrackingUrl } from './config';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import {
  trainingJobOwnerRule,
  trainingJobResourceRef,
} from './permissionRules';
import { createRouter } from './router';

/**
 * The experiments backend plugin: training jobs and their MLflow tracking.
 *
 * @public
 */
export const experimentsPlugin = createBackendPlugin({
  pluginId: 'experiments',
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
        const trackingUrl = readMlflowTrackingUrl(config);
        const store = await DatabaseJobStore.create({ database });
        permissionsRegistry.addPermissions(experimentsPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: trainingJobResourceRef,
          rules: [trainingJobOwnerRule],
          getResources: ids => store.getJobs(ids),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            permissionsRegistry,
            store,
            trackingUrl,
          }),
        );
      },
    });
  },
});
