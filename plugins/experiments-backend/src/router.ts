import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  experimentsStatusReadPermission,
  trainingJobReadPermission,
} from '@internal/backstage-plugin-experiments-common';
import {
  addStatusRoute,
  authorizedOwnerQuery,
  checkDatabase,
  parseLimit,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DatabaseJobStore } from './database/DatabaseJobStore';
import { trainingJobResourceRef } from './permissionRules';
import { checkMlflow } from './status';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  store: DatabaseJobStore;
  trackingUrl: string;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, store, trackingUrl } =
    deps;
  const router = Router();

  addStatusRoute(router, {
    pluginId: 'experiments',
    httpAuth,
    permissions,
    permission: experimentsStatusReadPermission,
    checks: () =>
      Promise.all([
        checkMlflow(trackingUrl),
        checkDatabase(store.knex, 'Experiments database'),
      ]),
  });

  router.get('/jobs', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const limit = parseLimit(req.query.limit);
    const filter = await authorizedOwnerQuery({
      permissions,
      credentials,
      permission: trainingJobReadPermission,
      ruleset: permissionsRegistry.getPermissionRuleset(trainingJobResourceRef),
    });
    res.json({ items: await store.listJobs({ filter, limit }) });
  });

  return router;
}
