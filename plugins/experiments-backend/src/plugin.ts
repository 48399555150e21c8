import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { experimentsPermissions } from '@internal/backstage-plugin-experiments-common';
import { MlflowTeamAccess, readMlflowCredentials } from '@internal/mlops-node';
import { rayClustersServiceRef } from '@internal/backstage-plugin-ray-clusters-node';
import { DatasetCatalog } from './catalog/DatasetCatalog';
import { readRuntimeVersion } from './catalog/runtimeVersion';
import { TemplateCatalog } from './catalog/TemplateCatalog';
import { readExperimentsConfig, readMlflowTrackingUrl } from './config';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import {
  trainingJobOwnerRule,
  trainingJobResourceRef,
} from './permissionRules';
import { createRouter } from './router';
import { CustomModels } from './customModels';
import {
  DatabaseQueueDepth,
  ExperimentsMetrics,
  RabbitMqQueueDepth,
} from './metrics';
import { JobService } from './service/JobService';
import { MlflowClient } from './service/MlflowClient';
import { RayClusters } from './service/RayClusters';
import { JobReconciler } from './worker/JobReconciler';
import { JobWorker } from './worker/JobWorker';
import { OutboxRelay } from './worker/OutboxRelay';
import { QueueConnector } from './worker/QueueConnector';
import { readAutoTuneConfig } from './tune/config';
import { TrialStore } from './tune/TrialStore';

/**
 * The experiments backend plugin: training jobs, queued through a transactional outbox, run on Ray
 * by the worker, followed by the reconciler, and tracked in MLflow.
 *
 * @public
 */
export const experimentsPlugin = createBackendPlugin({
  pluginId: 'experiments',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        metrics: metricsServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        rayClusters: rayClustersServiceRef,
        userInfo: coreServices.userInfo,
      },
      async init({
        auth,
        config,
        database,
        discovery,
        httpAuth,
        httpRouter,
        lifecycle,
        logger,
        metrics,
        permissions,
        permissionsRegistry,
        rayClusters,
        userInfo,
      }) {
        const trackingUrl = readMlflowTrackingUrl(config);
        const mlflowCredentials = readMlflowCredentials(config);
        const mlflow = new MlflowClient(trackingUrl, mlflowCredentials);
        const settings = readExperimentsConfig(config);
        const experimentsMetrics = new ExperimentsMetrics(metrics, logger);
        const store = await DatabaseJobStore.create({
          database,
          onMilestone: milestone =>
            experimentsMetrics.recordMilestone(milestone),
        });
        const templates = await TemplateCatalog.load({
          runtimePath: settings.runtimePath,
          logger,
        });
        const runtimeVersion = await readRuntimeVersion(settings.runtimePath);
        const datasets = new DatasetCatalog({ discovery, auth });
        const clusters = new RayClusters(rayClusters);
        const queue = QueueConnector.fromConfig({
          config: settings.queue,
          database,
          logger,
        });
        const relay = new OutboxRelay({ store, queue, logger });
        const queueDepth =
          settings.queue.driver === 'rabbitmq'
            ? new RabbitMqQueueDepth({
                url: settings.queue.rabbitmqUrl!,
                queueName: settings.queue.queueName,
              })
            : new DatabaseQueueDepth(store.knex);
        experimentsMetrics.observe({
          templateIds: () => templates.list().map(t => t.id),
          countJobs: () => store.countByStateAndTemplate(),
          oldestQueuedJob: () => store.oldestSubmittedIn('QUEUED'),
          queueDepth,
        });
        const customModels = new CustomModels({
          config,
          knex: store.knex,
          templates,
          clusters,
          runtimePath: settings.runtimePath,
          defaultCluster: settings.defaultCluster,
          maxBodyDepth: settings.limits.maxBodyDepth,
          logger,
          httpAuth,
          userInfo,
          permissions,
          permissionsRegistry,
        });
        const worker = new JobWorker({
          store,
          queue,
          templates,
          customModels,
          datasets,
          clusters,
          mlflowTeams:
            mlflowCredentials &&
            new MlflowTeamAccess(mlflow, mlflowCredentials),
          logger,
          settings: {
            runtimePath: settings.runtimePath,
            storagePath: settings.storagePath,
            trackingUrl,
            prefetch: settings.worker.prefetch,
            entrypointNumCpus: settings.worker.entrypointNumCpus,
          },
        });
        const trials = new TrialStore(store.knex);
        const reconciler = new JobReconciler({
          store,
          clusters,
          logger,
          intervalMs: settings.reconcileIntervalMs,
          trials,
        });
        const jobs = new JobService({
          store,
          templates,
          customModels,
          datasets,
          clusters,
          mlflow,
          trackingUrl,
          runtimeVersion,
          defaultCluster: settings.defaultCluster,
          entrypointNumCpus: settings.worker.entrypointNumCpus,
          limits: settings.limits,
          autoTune: readAutoTuneConfig(config),
          logger,
          onQueued: () => relay.wake(),
        });

        permissionsRegistry.addPermissions(experimentsPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: trainingJobResourceRef,
          rules: [trainingJobOwnerRule],
          getResources: ids => store.getJobs(ids),
        });
        httpRouter.use(
          await createRouter({
            httpAuth,
            userInfo,
            permissions,
            permissionsRegistry,
            store,
            jobs,
            templates,
            datasets,
            trials,
            customModels,
            trackingUrl,
            mlflowCredentials,
            maxBodyDepth: settings.limits.maxBodyDepth,
          }),
        );

        lifecycle.addStartupHook(() => {
          // Connect now, so that a wrong queue setting shows in the log at startup.
          queue
            .get()
            .catch(error =>
              logger.warn(
                `The job queue is not reachable yet; jobs stay queued until it is: ${error}`,
              ),
            );
          relay.start();
          if (settings.worker.enabled) {
            worker.start();
            reconciler.start();
          }
        });
        lifecycle.addShutdownHook(async () => {
          await Promise.all([relay.stop(), worker.stop(), reconciler.stop()]);
          await Promise.all([queue.close(), queueDepth.close()]);
        });
      },
    });
  },
});
