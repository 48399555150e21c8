import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
  DiscoveryService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { requireTestMlflowCredentials } from '@internal/mlops-node';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import gitlabModule from '@backstage/plugin-scaffolder-backend-module-gitlab';
import datasetsPlugin from '@internal/backstage-plugin-datasets-backend';
import experimentsPlugin from '@internal/backstage-plugin-experiments-backend';
import os from 'node:os';
import path from 'node:path';
import mlopsFeatures from '../index';

export type PortalServices = {
  auth: AuthService;
  discovery: DiscoveryService;
  events: EventsService;
};

/**
 * A backend with the real catalog, scaffolder (with the GitHub and GitLab modules and this module), datasets
 * (samples mnist and iris-synthetic, owned by team-a) and experiments plugins, with the templates of
 * `templates/` in the catalog; returns the services
 * the actions of this module use, as the scaffolder would give them.
 */
export async function startPortalBackend(options: {
  trackingUrl: string;
  localGitRoot: string;
}) {
  const services: Partial<PortalServices> = {};
  const capture = createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'test-capture',
    register(env) {
      env.registerInit({
        deps: {
          auth: coreServices.auth,
          discovery: coreServices.discovery,
          events: eventsServiceRef,
        },
        async init(deps) {
          Object.assign(services, deps);
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogTemplateKind,
      scaffolderPlugin,
      githubModule,
      gitlabModule,
      mlopsFeatures,
      // The real events service: the mock gives each plugin its own, unconnected one.
      eventsServiceFactory,
      capture,
      datasetsPlugin,
      experimentsPlugin,
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () =>
          mockServices.userInfo({
            ownershipEntityRefs: ['user:default/mock', 'group:default/team-a'],
          }),
      }),
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [{ allow: ['System', 'Location', 'Template', 'Component'] }],
            processingInterval: { seconds: 1 },
            locations: [
              {
                type: 'file',
                target: path.join(
                  resolvePackagePath(
                    '@internal/backstage-plugin-scaffolder-backend-module-mlops',
                    '../../templates',
                  ),
                  'ml-project-*.yaml',
                ),
              },
            ],
          },
          mlops: {
            mlflow: {
              trackingUrl: options.trackingUrl,
              ...requireTestMlflowCredentials(),
            },
            projects: { localGitRoot: options.localGitRoot },
            rayClusters: {
              clusters: [
                {
                  name: 'local',
                  owner: 'group:default/team-a',
                  driver: 'local',
                  dashboardUrl: 'http://127.0.0.1:1',
                },
              ],
            },
            experiments: {
              runtimePath: resolvePackagePath(
                '@internal/backstage-plugin-scaffolder-backend-module-mlops',
                '../../runtime',
              ),
              worker: { enabled: false },
            },
            datasets: {
              objectStore: {
                type: 'local',
                root: path.join(os.tmpdir(), 'mlops-scaffolder-test-datasets'),
              },
              samples: { owner: 'group:default/team-a' },
            },
          },
        },
      }),
    ],
  });
  return {
    backend,
    server: backend.server,
    services: services as PortalServices,
  };
}
