import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import { RayClusterEntityProvider } from './RayClusterEntityProvider';

/**
 * Puts each Ray cluster in the catalog as a Resource (type ray-cluster) owned by its team.
 *
 * @public
 */
export const catalogModuleRayClusters = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ray-clusters',
  register({ registerInit }) {
    registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
        rayClusters: rayClustersServiceRef,
      },
      async init({ catalog, config, scheduler, logger, rayClusters }) {
        catalog.addEntityProvider(
          new RayClusterEntityProvider(
            rayClusters,
            config.getString('app.baseUrl'),
            {
              taskRunner: scheduler.createScheduledTaskRunner({
                frequency: { seconds: 30 },
                timeout: { seconds: 30 },
              }),
              logger,
            },
          ),
        );
      },
    });
  },
});
