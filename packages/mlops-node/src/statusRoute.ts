import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  DependencyCheck,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import express from 'express';

/**
 * Checks the caller is a signed-in user granted `permission`, and returns their credentials.
 *
 * @public
 */
export async function requireUserPermission(
  deps: { httpAuth: HttpAuthService; permissions: PermissionsService },
  req: express.Request,
  permission: BasicPermission,
) {
  const credentials = await deps.httpAuth.credentials(req, { allow: ['user'] });
  const [decision] = await deps.permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`You are not allowed to ${permission.name}`);
  }
  return credentials;
}

/**
 * Adds `GET /status` to a plugin router: every dependency checked for real, in parallel, on each
 * request, behind `permission`.
 *
 * @public
 */
export function addStatusRoute(
  router: express.Router,
  options: {
    pluginId: string;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    permission: BasicPermission;
    /** Gets the caller's credentials, to check only what the caller may see. */
    checks: (credentials: BackstageCredentials) => Promise<DependencyCheck[]>;
  },
) {
  router.get('/status', async (req, res) => {
    const credentials = await requireUserPermission(
      options,
      req,
      options.permission,
    );
    const status: PluginStatus = {
      pluginId: options.pluginId,
      checkedAt: new Date().toISOString(),
      dependencies: await options.checks(credentials),
    };
    res.json(status);
  });
}
