import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { DatasetEntityProvider } from './DatasetEntityProvider';
import { datasetsOverHttp } from './datasetsOverHttp';

/**
 * Puts the portal's datasets in the catalog as Resources (type dataset) owned by their teams.
 *
 * @public
 */
export const catalogModuleMlops = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops',
  register({ registerInit }) {
    registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ catalog, config, scheduler, logger, discovery, auth }) {
        catalog.addEntityProvider(
          new DatasetEntityProvider(
            datasetsOverHttp({ discovery, auth }),
            config.getString('app.baseUrl'),
            {
              taskRunner: scheduler.createScheduledTaskRunner({
                frequency: { seconds: 60 },
                timeout: { seconds: 50 },
                // The datasets plugin may still be starting.
                initialDelay: { seconds: 10 },
              }),
              logger,
            },
          ),
        );
      },
    });
  },
});
