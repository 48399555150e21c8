import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { readProjectsConfig } from '../config';
import {
  ProjectRepositoriesProvider,
  PROJECTS_PUBLISHED_TOPIC,
} from './ProjectRepositoriesProvider';

/**
 * Puts the entities of the local project repositories (`mlops.projects.localGitRoot`) in the
 * catalog: read every minute, and at once when `mlops:catalog:register-local` publishes one.
 *
 * @public
 */
export const catalogModuleMlopsProjects = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops-projects',
  register({ registerInit }) {
    registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
        events: eventsServiceRef,
      },
      async init({ catalog, config, scheduler, logger, events }) {
        const { localGitRoot } = readProjectsConfig(config);
        const provider = new ProjectRepositoriesProvider(localGitRoot, logger);
        catalog.addEntityProvider(provider);
        await scheduler.scheduleTask({
          id: 'mlops-project-repositories-refresh',
          frequency: { minutes: 1 },
          timeout: { minutes: 1 },
          fn: () => provider.refresh(),
        });
        await events.subscribe({
          id: 'mlops-project-repositories',
          topics: [PROJECTS_PUBLISHED_TOPIC],
          onEvent: () => provider.refresh(),
        });
      },
    });
  },
});
