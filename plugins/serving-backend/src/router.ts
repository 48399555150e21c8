import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { rayClusterReadPermission } from '@internal/backstage-plugin-ray-clusters-common';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';
import {
  modelDeploymentReadPermission,
  servingStatusReadPermission,
} from '@internal/backstage-plugin-serving-common';
import {
  addStatusRoute,
  authorizedOwnerQuery,
  checkDatabase,
  parseLimit,
  filterOwnedItems,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import { modelDeploymentResourceRef } from './permissionRules';
import { checkRayServe } from './status';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  rayClusters: RayClustersService;
  store: DatabaseDeploymentStore;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, rayClusters, store } =
    deps;
  const router = Router();

  addStatusRoute(router, {
    pluginId: 'serving',
    httpAuth,
    permissions,
    permission: servingStatusReadPermission,
    checks: async credentials => [
      ...(await checkRayServe(
        rayClusters,
        await filterOwnedItems({
          permissions,
          credentials,
          permission: rayClusterReadPermission,
          items: rayClusters.listClusters(),
        }),
      )),
      await checkDatabase(store.knex, 'Serving database'),
    ],
  });

  router.get('/deployments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const limit = parseLimit(req.query.limit);
    const filter = await authorizedOwnerQuery({
      permissions,
      credentials,
      permission: modelDeploymentReadPermission,
      ruleset: permissionsRegistry.getPermissionRuleset(
        modelDeploymentResourceRef,
      ),
    });
    res.json({ items: await store.listDeployments({ filter, limit }) });
  });

  return router;
}
