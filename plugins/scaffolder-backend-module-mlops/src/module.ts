import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { bindDatasetAction } from './actions/bindDataset';
import { createMlflowExperimentAction } from './actions/createMlflowExperiment';
import { createProjectAction } from './actions/createProject';
import { fetchCustomModelAction } from './actions/fetchCustomModel';
import { publishLocalGitAction } from './actions/publishLocalGit';
import { registerLocalProjectAction } from './actions/registerLocalProject';
import { readProjectsConfig } from './config';

/**
 * The actions of the New ML project templates (`templates/` of the repository).
 *
 * @public
 */
export const scaffolderModuleMlops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mlops',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        events: eventsServiceRef,
        userInfo: coreServices.userInfo,
      },
      async init({ scaffolder, config, auth, discovery, events, userInfo }) {
        const settings = readProjectsConfig(config);
        scaffolder.addActions(
          createProjectAction({ userInfo }),
          createMlflowExperimentAction({
            trackingUrl: settings.mlflowTrackingUrl,
            credentials: settings.mlflowCredentials,
          }),
          bindDatasetAction({ auth, discovery }),
          fetchCustomModelAction({ auth, discovery }),
          publishLocalGitAction({ localGitRoot: settings.localGitRoot }),
          registerLocalProjectAction({
            localGitRoot: settings.localGitRoot,
            events,
          }),
        );
      },
    });
  },
});
