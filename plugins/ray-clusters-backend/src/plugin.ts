import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { rayClustersPermissions } from '@internal/backstage-plugin-ray-clusters-common';
import {
  KubeRayClient,
  loadKubeConfig,
  rayClustersServiceRef,
  readRayClusterConfigs,
} from '@internal/backstage-plugin-ray-clusters-node';
import { EndpointGuard } from '@internal/mlops-node';
import { ClusterRegistry } from './ClusterRegistry';
import { readKubeRayConfig, readLocalDriverConfig, readQuotas } from './config';
import { ClusterStore } from './database/ClusterStore';
import { ExternalDriver } from './drivers/ExternalDriver';
import { KubeRayDriver } from './drivers/KubeRayDriver';
import { LocalDriver } from './drivers/local/LocalDriver';
import { createRouter } from './router';
import { rayClusterOwnerRule, rayClusterResourceRef } from './permissionRules';

/**
 * The ray-clusters backend plugin: the Ray clusters jobs run on, their resources and status, and
 * the clusters teams create through the portal (local heads, external clusters, KubeRay).
 *
 * @public
 */
export const rayClustersPlugin = createBackendPlugin({
  pluginId: 'ray-clusters',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        rayClusters: rayClustersServiceRef,
      },
      async init(deps) {
        const { config, logger, permissionsRegistry, rayClusters } = deps;
        const configuredNames = readRayClusterConfigs(config).map(c => c.name);
        const endpointGuard = EndpointGuard.fromConfig(config);
        const registry = new ClusterRegistry({
          store: await ClusterStore.create(deps.database),
          quotaOf: readQuotas(config),
          reservedNames: () => configuredNames,
          logger,
          endpointGuard,
        });
        const kuberay = readKubeRayConfig(config);
        registry.setDrivers({
          local: new LocalDriver({
            ...readLocalDriverConfig(config),
            report: registry.report,
            logger,
          }),
          external: new ExternalDriver({ endpointGuard }),
          ...(kuberay && {
            kuberay: new KubeRayDriver({
              api: new KubeRayClient({
                kubeConfig: loadKubeConfig(
                  kuberay.kubeconfig === 'in-cluster'
                    ? { type: 'in-cluster' }
                    : {
                        type: 'kubeconfig',
                        path: kuberay.kubeconfig,
                        context: kuberay.context,
                      },
                ),
              }),
              namespace: kuberay.namespace,
              readyTimeoutMs: 600_000,
              pollIntervalMs: 5_000,
            }),
          }),
        });
        await registry.init();
        rayClusters.setProvisioner(registry);
        deps.lifecycle.addShutdownHook(() => registry.close());

        permissionsRegistry.addPermissions(rayClustersPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: rayClusterResourceRef,
          rules: [rayClusterOwnerRule],
          getResources: async names =>
            names.map(name =>
              rayClusters.listClusters().find(c => c.name === name),
            ),
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            permissionsRegistry,
            userInfo: deps.userInfo,
            rayClusters,
            registry,
          }),
        );
      },
    });
  },
});
