import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
} from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  CreateConnectionRequest,
  DatasetConnection,
  datasetConnectionCreatePermission,
  datasetConnectionDeletePermission,
  datasetConnectionUsePermission,
} from '@internal/backstage-plugin-datasets-common';
import {
  EndpointGuard,
  filterAuthorized,
  OwnerQuery,
} from '@internal/mlops-node';
import express from 'express';
import { validateObjectPrefix } from '../objectStore';
import { requirePermission, resolveOwner } from '@internal/mlops-node';
import { ConnectionStore } from './ConnectionStore';

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,64}$/;

export const CONNECTIONS_DISABLED =
  'S3 connections are disabled: set mlops.datasets.connections.encryptionKey (32 random bytes, base64) to store their credentials';

function parseCreateConnection(body: unknown): CreateConnectionRequest {
  const input = (body ?? {}) as Record<string, unknown>;
  const text = (field: string, required: boolean, max = 1024) => {
    const value = input[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !value || value.length > max) {
      throw new InputError(
        `${field} must be a non-empty string of at most ${max} characters`,
      );
    }
    return value;
  };
  const name = text('name', true, 100)!;
  if (!NAME.test(name)) {
    throw new InputError(
      `name must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit; got '${name}'`,
    );
  }
  const bucket = text('bucket', true, 63)!;
  if (!BUCKET.test(bucket)) {
    throw new InputError(
      `bucket '${bucket}' is not a valid S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-')`,
    );
  }
  const region = text('region', false, 64) ?? 'us-east-1';
  if (!REGION.test(region)) {
    throw new InputError(`region '${region}' is not a valid region name`);
  }
  const prefix = (input.prefix as string | undefined) ?? '';
  if (typeof prefix !== 'string' || (prefix && !prefix.endsWith('/'))) {
    throw new InputError(
      "prefix must be empty or a folder ending with '/', e.g. 'datasets/'",
    );
  }
  validateObjectPrefix(prefix);
  if (
    input.forcePathStyle !== undefined &&
    typeof input.forcePathStyle !== 'boolean'
  ) {
    throw new InputError('forcePathStyle must be true or false');
  }
  return {
    name,
    owner: text('owner', false, 255),
    endpoint: text('endpoint', true, 2048)!,
    region,
    bucket,
    prefix,
    forcePathStyle: (input.forcePathStyle as boolean | undefined) ?? true,
    accessKeyId: text('accessKeyId', true, 256)!,
    secretAccessKey: text('secretAccessKey', true, 256)!,
  };
}

export type ConnectionAccess = {
  /** The connection, if the caller may use it under `permission`; 404 when they may not see it. */
  authorized(
    credentials: BackstageCredentials,
    id: string,
    permission: ResourcePermission,
  ): Promise<DatasetConnection>;
  store(): ConnectionStore;
};

/**
 * Routes of user-added S3 connections. Connections are owned like datasets and checked with the
 * same ownership rule (it reads only `owner`).
 */
export function addConnectionRoutes(
  router: express.Router,
  deps: {
    httpAuth: HttpAuthService;
    userInfo: UserInfoService;
    permissions: PermissionsService;
    ruleset: PermissionRuleset<any, OwnerQuery>;
    connections?: ConnectionStore;
    endpointGuard: EndpointGuard;
  },
): ConnectionAccess {
  const { httpAuth, userInfo, permissions } = deps;
  const ruleset = deps.ruleset as PermissionRuleset<DatasetConnection>;

  const store = () => {
    if (!deps.connections) throw new NotImplementedError(CONNECTIONS_DISABLED);
    return deps.connections;
  };

  const access: ConnectionAccess = {
    store,
    async authorized(credentials, id, permission) {
      const connection = await store().get(id);
      const [allowed] = await filterAuthorized({
        permissions,
        credentials,
        permission,
        ruleset,
        items: [connection],
      });
      if (!allowed) throw new NotFoundError(`No connection with id '${id}'`);
      return allowed;
    },
  };

  router.get('/connections', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const items = deps.connections
      ? await filterAuthorized({
          permissions,
          credentials,
          permission: datasetConnectionUsePermission,
          ruleset,
          items: await deps.connections.list(),
        })
      : [];
    res.json({ items });
  });

  router.post('/connections', express.json(), async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requirePermission(
      permissions,
      credentials,
      datasetConnectionCreatePermission,
    );
    const connections = store();
    const request = parseCreateConnection(req.body);
    const owner = await resolveOwner(
      userInfo,
      credentials,
      request.owner,
      'connection',
    );
    await deps.endpointGuard.check(request.endpoint, 'S3 endpoint');
    const input = {
      ...request,
      owner,
      region: request.region!,
      prefix: request.prefix!,
      forcePathStyle: request.forcePathStyle!,
      createdBy: credentials.principal.userEntityRef,
    };
    try {
      await connections.storeFor(input).check();
    } catch (error) {
      throw new InputError(
        `Connection check failed: ${(error as Error).message}`,
      );
    }
    res.status(201).json(await connections.create(input));
  });

  router.delete('/connections/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const connection = await access.authorized(
      credentials,
      req.params.id,
      datasetConnectionUsePermission,
    );
    const [allowed] = await filterAuthorized({
      permissions,
      credentials,
      permission: datasetConnectionDeletePermission,
      ruleset,
      items: [connection],
    });
    if (!allowed) {
      throw new NotAllowedError(
        `You are not allowed to ${datasetConnectionDeletePermission.name} on connection '${connection.name}'`,
      );
    }
    await store().delete(connection.id);
    res.json(connection);
  });

  return access;
}
