import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  driftMonitorReadPermission,
  driftStatusReadPermission,
} from '@internal/backstage-plugin-drift-common';
import {
  addStatusRoute,
  checkDatabase,
  filterAuthorized,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DatabaseDriftMonitorStore } from './database';
import { driftMonitorResourceRef } from './permissionRules';
import { checkN8n } from './status';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  monitors: DatabaseDriftMonitorStore;
  n8nWebhookUrl?: string;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, monitors } = deps;
  const router = Router();

  addStatusRoute(router, {
    pluginId: 'drift',
    httpAuth,
    permissions,
    permission: driftStatusReadPermission,
    checks: () =>
      Promise.all([
        checkDatabase(monitors.knex, 'Drift database'),
        checkN8n(deps.n8nWebhookUrl),
      ]),
  });

  router.get('/monitors', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const items = await filterAuthorized({
      permissions,
      credentials,
      permission: driftMonitorReadPermission,
      ruleset: permissionsRegistry.getPermissionRuleset(
        driftMonitorResourceRef,
      ),
      items: await monitors.list(),
    });
    res.json({ items });
  });

  return router;
}
