import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { driftPermissions } from '@internal/backstage-plugin-drift-common';
import { notificationService } from '@backstage/plugin-notifications-node';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import {
  MlflowRestClient,
  MlflowTeamAccess,
  readInferenceLogSettings,
  readMlflowCredentials,
} from '@internal/mlops-node';
import { DriftAlerts } from './alerts/DriftAlerts';
import {
  CheckJobEnvironment,
  DriftCheckRunner,
} from './checks/DriftCheckRunner';
import { readDriftConfig } from './config';
import { DatabaseDriftStore } from './database';
import { DriftMetrics } from './metrics';
import {
  driftMonitorOwnerRule,
  driftMonitorResourceRef,
} from './permissionRules';
import { createRouter } from './router';

/**
 * The drift backend plugin: drift monitors of deployed models and their checks, run as Ray jobs
 * on the deployment's cluster, on demand and on each monitor's schedule.
 *
 * @public
 */
export const driftPlugin = createBackendPlugin({
  pluginId: 'drift',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        metrics: metricsServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        rayClusters: rayClustersServiceRef,
      },
      async init(deps) {
        const { config, logger, permissionsRegistry, scheduler } = deps;
        const settings = readDriftConfig(config);
        const store = await DatabaseDriftStore.create(deps.database);
        permissionsRegistry.addPermissions(driftPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: driftMonitorResourceRef,
          rules: [driftMonitorOwnerRule],
          getResources: ids => store.getMonitors(ids),
        });

        const metrics = new DriftMetrics(
          deps.metrics,
          () => store.countMonitorsByLastCheck(),
          logger,
        );
        const alerts = new DriftAlerts({
          notifications: deps.notifications,
          webhook: settings.n8nWebhookUrl
            ? { url: settings.n8nWebhookUrl, secret: settings.n8nWebhookSecret }
            : undefined,
          appBaseUrl: config.getOptionalString('app.baseUrl') ?? '',
          logger,
        });
        const inferenceLog = readInferenceLogSettings(config);
        const runner =
          inferenceLog &&
          new DriftCheckRunner({
            store,
            rayClusters: deps.rayClusters,
            inferenceLog,
            jobEnvironment: mlflowJobEnvironment(config),
            logger,
            timeoutMs: settings.checkTimeoutMinutes * 60_000,
            onFinished: async (monitor, check) => {
              metrics.checkFinished(check);
              await alerts.checkFinished(monitor, check);
            },
          });
        if (runner) {
          // One run across backend replicas: finish checks whose Ray job ended, start due ones.
          await scheduler.scheduleTask({
            id: 'drift-checks',
            frequency: { seconds: settings.scheduleSeconds },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 10 },
            scope: 'global',
            fn: async () => {
              await runner.refreshAll();
              for (const monitor of await store.dueMonitors(new Date())) {
                await runner
                  .start(monitor, 'schedule')
                  .catch(error =>
                    logger.warn(
                      `Scheduled drift check of monitor ${monitor.id} did not start: ${error}`,
                    ),
                  );
              }
            },
          });
        }

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            discovery: deps.discovery,
            permissions: deps.permissions,
            permissionsRegistry,
            store,
            runner,
            n8nWebhookUrl: settings.n8nWebhookUrl,
          }),
        );
      },
    });
  },
});

/**
 * MLflow's address and the monitor team's MLflow user, which may read its models and their
 * training runs (where the reference profiles are), never the portal's admin account.
 */
function mlflowJobEnvironment(config: {
  getOptionalString(key: string): string | undefined;
}): CheckJobEnvironment {
  const trackingUrl = config
    .getOptionalString('mlops.mlflow.trackingUrl')
    ?.replace(/\/+$/, '');
  const admin = readMlflowCredentials(config);
  const teams =
    trackingUrl && admin
      ? new MlflowTeamAccess(new MlflowRestClient(trackingUrl, admin), admin)
      : undefined;
  return async monitor => {
    if (!trackingUrl) return {};
    const env = { MLFLOW_TRACKING_URI: trackingUrl };
    if (!teams) return env;
    const credentials = await teams.prepareServing(
      monitor.owner,
      monitor.modelName,
    );
    return {
      ...env,
      MLFLOW_TRACKING_USERNAME: credentials.username,
      MLFLOW_TRACKING_PASSWORD: credentials.password,
    };
  };
}
