import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  rayClusterReadPermission,
  rayClustersStatusReadPermission,
} from '@internal/backstage-plugin-ray-clusters-common';
import {
  describeCluster,
  RayClustersService,
} from '@internal/backstage-plugin-ray-clusters-node';
import { addStatusRoute, filterAuthorized } from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { rayClusterResourceRef } from './permissionRules';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  rayClusters: RayClustersService;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, rayClusters } = deps;
  const router = Router();

  async function visibleClusters(req: express.Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return filterAuthorized({
      permissions,
      credentials,
      permission: rayClusterReadPermission,
      ruleset: permissionsRegistry.getPermissionRuleset(rayClusterResourceRef),
      items: rayClusters.listClusters(),
    });
  }

  addStatusRoute(router, {
    pluginId: 'ray-clusters',
    httpAuth,
    permissions,
    permission: rayClustersStatusReadPermission,
    checks: async () => {
      const clusters = await Promise.all(
        rayClusters.listClusters().map(describeCluster),
      );
      if (clusters.length === 0) {
        return [
          {
            name: 'Ray clusters',
            ok: false,
            message:
              'No Ray cluster is configured (mlops.rayClusters.clusters)',
          },
        ];
      }
      return clusters.map(cluster => ({
        name: `Ray cluster ${cluster.title}`,
        ok: cluster.state === 'ready',
        message: cluster.message,
        version: cluster.rayVersion,
        details: cluster.resources && {
          nodes: cluster.resources.nodes,
          cpus: cluster.resources.cpus,
          gpus: cluster.resources.gpus,
        },
      }));
    },
  });

  router.get('/clusters', async (req, res) => {
    const clusters = await visibleClusters(req);
    res.json({ items: await Promise.all(clusters.map(describeCluster)) });
  });

  return router;
}
