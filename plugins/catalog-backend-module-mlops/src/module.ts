import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MlflowRestClient, readMlflowCredentials } from '@internal/mlops-node';
import { DatasetEntityProvider } from './DatasetEntityProvider';
import { datasetsOverHttp } from './datasetsOverHttp';
import { DeploymentApiEntityProvider } from './DeploymentApiEntityProvider';
import { deploymentsOverHttp } from './deploymentsOverHttp';
import { ModelEntityProvider } from './ModelEntityProvider';

/**
 * Puts the portal's datasets in the catalog as Resources (type dataset), its model deployments
 * as APIs (type openapi) and the registered models of MLflow as Components (type ml-model),
 * owned by their teams.
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
        const portalUrl = config.getString('app.baseUrl');
        const options = () => ({
          taskRunner: scheduler.createScheduledTaskRunner({
            frequency: { seconds: 60 },
            timeout: { seconds: 50 },
            // The plugins read from may still be starting.
            initialDelay: { seconds: 10 },
          }),
          logger,
        });
        catalog.addEntityProvider(
          new DatasetEntityProvider(
            datasetsOverHttp({ discovery, auth }),
            portalUrl,
            options(),
          ),
        );
        const mlflowUrl = config
          .getOptionalString('mlops.mlflow.trackingUrl')
          ?.replace(/\/+$/, '');
        if (mlflowUrl) {
          catalog.addEntityProvider(
            new ModelEntityProvider(
              {
                mlflow: new MlflowRestClient(
                  mlflowUrl,
                  readMlflowCredentials(config),
                ),
                datasets: datasetsOverHttp({ discovery, auth }),
                deployments: deploymentsOverHttp({ discovery, auth }),
              },
              portalUrl,
              options(),
            ),
          );
        }
        catalog.addEntityProvider(
          new DeploymentApiEntityProvider(
            deploymentsOverHttp({ discovery, auth }),
            portalUrl,
            options(),
          ),
        );
      },
    });
  },
});
