import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  datasetReadPermission,
  datasetsStatusReadPermission,
} from '@internal/backstage-plugin-datasets-common';
import {
  addStatusRoute,
  checkDatabase,
  filterAuthorized,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DatabaseDatasetStore } from './database';
import { ObjectStore } from './objectStore';
import { datasetResourceRef } from './permissionRules';
import { checkObjectStore } from './status';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  datasets: DatabaseDatasetStore;
  objectStore?: ObjectStore;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, datasets } = deps;
  const router = Router();

  addStatusRoute(router, {
    pluginId: 'datasets',
    httpAuth,
    permissions,
    permission: datasetsStatusReadPermission,
    checks: () =>
      Promise.all([
        checkDatabase(datasets.knex, 'Datasets database'),
        checkObjectStore(deps.objectStore),
      ]),
  });

  router.get('/datasets', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const items = await filterAuthorized({
      permissions,
      credentials,
      permission: datasetReadPermission,
      ruleset: permissionsRegistry.getPermissionRuleset(datasetResourceRef),
      items: await datasets.list(),
    });
    res.json({ items });
  });

  return router;
}
