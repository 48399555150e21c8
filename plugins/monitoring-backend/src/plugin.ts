import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { monitoringPermissions } from '@internal/backstage-plugin-monitoring-common';
import { PrometheusClient } from '@internal/mlops-node';
import { createRouter } from './router';

/**
 * The monitoring backend plugin: the portal's charts, read from Prometheus.
 *
 * @public
 */
export const monitoringPlugin = createBackendPlugin({
  pluginId: 'monitoring',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(monitoringPermissions);
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            prometheus: PrometheusClient.fromConfig(deps.config),
          }),
        );
      },
    });
  },
});
