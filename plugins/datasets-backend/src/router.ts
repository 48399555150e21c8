import {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError, serializeError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  CreateDatasetRequest,
  Dataset,
  datasetConnectionUsePermission,
  datasetCreatePermission,
  datasetReadPermission,
  datasetsStatusReadPermission,
  datasetUpdatePermission,
} from '@internal/backstage-plugin-datasets-common';
import { unsafeCharacterIn } from '@internal/backstage-plugin-mlops-common';
import {
  addStatusRoute,
  authorizeResource,
  checkDatabase,
  EndpointGuard,
  filterAuthorized,
  requirePermission,
  resolveOwner,
} from '@internal/mlops-node';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import Router from 'express-promise-router';
import { DatabaseDatasetStore } from './database';
import { EXTRA_ERROR_STATUS, isSystemError } from './formats/errors';
import { FileInsights, findFile } from './formats/fileInsights';
import { ObjectStore, quoteKey, validateObjectPrefix } from './objectStore';
import { datasetResourceRef } from './permissionRules';
import { addConnectionRoutes } from './connections/connectionRoutes';
import { ConnectionStore } from './connections/ConnectionStore';
import { checkObjectStore } from './status';
import { DatasetFiles } from './versions/DatasetFiles';
import { locateVersionFiles } from './versions/fileLocations';
import { DatasetUploadMetrics } from './metrics';
import { addUploadSessionRoutes, UploadSessions } from './uploads';

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const MAX_DESCRIPTION_LENGTH = 4000;
const DOWNLOAD_URL_SECONDS = 15 * 60;

function parseCreateRequest(body: unknown): CreateDatasetRequest {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.name !== 'string' || !NAME.test(input.name)) {
    throw new InputError(
      `name must be 1 to 100 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(
        input.name,
      )}`,
    );
  }
  for (const field of ['owner', 'description'] as const) {
    if (input[field] !== undefined && typeof input[field] !== 'string') {
      throw new InputError(`${field} must be a string`);
    }
  }
  const description = input.description as string | undefined;
  if (description !== undefined) {
    if (description.length > MAX_DESCRIPTION_LENGTH) {
      throw new InputError(
        `description is ${description.length} characters long, more than the limit of ${MAX_DESCRIPTION_LENGTH}`,
      );
    }
    const unsafe = unsafeCharacterIn(description, { multiline: true });
    if (unsafe) {
      throw new InputError(`description must not contain a ${unsafe}`);
    }
  }
  return {
    name: input.name,
    owner: input.owner as string | undefined,
    description: input.description as string | undefined,
  };
}

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  datasets: DatabaseDatasetStore;
  objectStore?: ObjectStore;
  files?: DatasetFiles;
  uploadSessions?: UploadSessions;
  uploadMetrics?: DatasetUploadMetrics;
  connections?: ConnectionStore;
  endpointGuard?: EndpointGuard;
  logger?: LoggerService;
}): Promise<express.Router> {
  const { httpAuth, userInfo, permissions, permissionsRegistry, datasets } =
    deps;
  const router = Router();
  const ruleset = permissionsRegistry.getPermissionRuleset(datasetResourceRef);

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

  function requireStore() {
    if (!deps.objectStore || !deps.files) {
      throw new NotFoundError(
        'No object store is configured (mlops.datasets.objectStore)',
      );
    }
    return { objectStore: deps.objectStore, files: deps.files };
  }

  /**
   * The dataset, if the caller may use it under `permission`: 404 without its name when they may
   * not read it, 403 when they may read it but not do this.
   */
  async function authorizedDataset(
    credentials: BackstageCredentials,
    id: string,
    permission: ResourcePermission = datasetReadPermission,
  ): Promise<Dataset> {
    const [dataset] = await datasets.getByIds([id]);
    return authorizeResource({
      permissions,
      credentials,
      ruleset,
      readPermission: datasetReadPermission,
      permission,
      resource: dataset,
      notFound: `dataset with id ${quoteKey(id)}`,
      describe: d => `dataset '${d.name}'`,
    });
  }

  /** The signed-in caller, the dataset they may change, and the files service. */
  async function datasetForUpdate(req: express.Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const dataset = await authorizedDataset(
      credentials,
      req.params.id,
      datasetUpdatePermission,
    );
    const { files } = requireStore();
    return { credentials, files, dataset };
  }

  // Backend services (e.g. a catalog entity provider) may list datasets too.
  router.get('/datasets', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const items = await filterAuthorized({
      permissions,
      credentials,
      permission: datasetReadPermission,
      ruleset,
      items: await datasets.list(),
    });
    res.json({ items });
  });

  router.post('/datasets', express.json(), async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await requirePermission(permissions, credentials, datasetCreatePermission);
    const request = parseCreateRequest(req.body);
    const owner = await resolveOwner(
      userInfo,
      credentials,
      request.owner,
      'dataset',
    );
    const dataset = await datasets.create({
      name: request.name,
      owner,
      description: request.description,
    });
    res.status(201).json(dataset);
  });

  router.get('/datasets/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await authorizedDataset(credentials, req.params.id));
  });

  router.get('/datasets/:id/versions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const dataset = await authorizedDataset(credentials, req.params.id);
    res.json({ items: await datasets.listVersions(dataset.id) });
  });

  router.post('/datasets/:id/versions', express.json(), async (req, res) => {
    const { credentials, files, dataset } = await datasetForUpdate(req);
    const prefix = (req.body ?? {}).prefix;
    if (typeof prefix !== 'string') {
      throw new InputError(
        'prefix (the object key prefix to register, ending with /) is required',
      );
    }
    const version = await files.registerPrefix({
      dataset,
      prefix,
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(version);
  });

  // Other plugins (training jobs) resolve a pinned version here.
  router.get('/datasets/:id/versions/:version', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const dataset = await authorizedDataset(credentials, req.params.id);
    res.json(await datasets.getVersion(dataset.id, req.params.version));
  });

  // Training jobs read a pinned version's files from these local paths or presigned URLs, which
  // are for backend services only.
  router.get('/datasets/:id/versions/:version/files', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const dataset = await authorizedDataset(credentials, req.params.id);
    const { objectStore } = requireStore();
    const version = await datasets.getVersion(dataset.id, req.params.version);
    res.json(await locateVersionFiles(objectStore, version));
  });

  router.post('/datasets/:id/files', async (req, res) => {
    const { credentials, files, dataset } = await datasetForUpdate(req);
    const path = req.query.path;
    if (typeof path !== 'string' || !path) {
      throw new InputError(
        'The query parameter path names the uploaded file, e.g. ?path=train.csv',
      );
    }
    const length = req.headers['content-length'];
    const version = await files.upload({
      dataset,
      path,
      body: req,
      contentLength: length === undefined ? undefined : Number(length),
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(version);
  });

  addUploadSessionRoutes(router, {
    datasetForUpdate,
    uploadSessions: deps.uploadSessions,
    uploadMetrics: deps.uploadMetrics,
  });

  async function versionFile(req: express.Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const dataset = await authorizedDataset(credentials, req.params.id);
    const { objectStore } = requireStore();
    const version = await datasets.getVersion(dataset.id, req.params.version);
    return {
      objectStore,
      version,
      file: findFile(version.files, req.query.path),
    };
  }

  const connectionAccess = addConnectionRoutes(router, {
    httpAuth,
    userInfo,
    permissions,
    ruleset,
    connections: deps.connections,
    endpointGuard: deps.endpointGuard ?? new EndpointGuard(),
  });

  router.post('/datasets/:id/imports', express.json(), async (req, res) => {
    const { credentials, files, dataset } = await datasetForUpdate(req);
    const { connectionId, prefix } = (req.body ?? {}) as Record<
      string,
      unknown
    >;
    if (typeof connectionId !== 'string' || typeof prefix !== 'string') {
      throw new InputError(
        "connectionId and prefix (a folder ending with '/', or '' for everything) are required",
      );
    }
    validateObjectPrefix(prefix);
    const connection = await connectionAccess.authorized(
      credentials,
      connectionId,
      datasetConnectionUsePermission,
    );
    const version = await files.importFrom({
      dataset,
      source: await connectionAccess.store().openStore(connection.id),
      sourceName: `connection '${connection.name}'`,
      prefix,
      createdBy: credentials.principal.userEntityRef,
    });
    res.status(201).json(version);
  });

  router.get('/datasets/:id/versions/:version/schema', async (req, res) => {
    const { objectStore, file, version } = await versionFile(req);
    res.json(await new FileInsights(objectStore).schema(file, version.files));
  });

  router.get('/datasets/:id/versions/:version/preview', async (req, res) => {
    const { objectStore, file, version } = await versionFile(req);
    res.json(await new FileInsights(objectStore).preview(file, version.files));
  });

  router.get('/datasets/:id/versions/:version/statistics', async (req, res) => {
    const { objectStore, file, version } = await versionFile(req);
    res.json(
      await new FileInsights(objectStore).statistics(file, version.files),
    );
  });

  router.get('/datasets/:id/versions/:version/download', async (req, res) => {
    const { objectStore, file } = await versionFile(req);
    const url = await objectStore.downloadUrl(file.key, DOWNLOAD_URL_SECONDS);
    if (url) {
      res.redirect(307, url);
      return;
    }
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    await pipeline(await objectStore.get(file.key), res);
  });

  // 413, 415 and 429, which Backstage's error handler would turn into 500; and failures of the
  // file system, whose messages name server paths.
  router.use(
    (
      error: Error,
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      let statusCode = EXTRA_ERROR_STATUS[error.name];
      let shown = error;
      if (!statusCode && isSystemError(error)) {
        const logId = randomBytes(10).toString('hex');
        deps.logger?.error(`Request failed, logId=${logId}`, error);
        statusCode = 500;
        shown = new Error(
          `The datasets backend could not read or write its files (${error.code}); logId=${logId}`,
        );
      }
      if (!statusCode) {
        next(error);
        return;
      }
      if (statusCode === 413) {
        // The rest of the body is not read; close the connection after answering.
        res.setHeader('Connection', 'close');
      }
      res.status(statusCode).json({
        error: serializeError(shown),
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode },
      });
    },
  );

  return router;
}
