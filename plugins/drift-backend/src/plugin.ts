import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { driftPermissions } from '@internal/backstage-plugin-drift-common';
import { readN8nWebhookUrl } from './config';
import { DatabaseDriftMonitorStore } from './database';
import {
  driftMonitorOwnerRule,
  driftMonitorResourceRef,
} from './permissionRules';
import { createRouter } from './router';

/**
 * The drift backend plugin: drift monitors of deployed models, their checks and alerts.
 *
 * @public
 */
export const driftPlugin = createBackendPlugin({
  pluginId: 'drift',
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
        const n8nWebhookUrl = readN8nWebhookUrl(config);
        const monitors = await DatabaseDriftMonitorStore.create(database);
        permissionsRegistry.addPermissions(driftPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: driftMonitorResourceRef,
          rules: [driftMonitorOwnerRule],
          getResources: ids => monitors.getByIds(ids),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            permissionsRegistry,
            monitors,
            n8nWebhookUrl,
          }),
        );
      },
    });
  },
});
