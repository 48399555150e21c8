import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  experimentsStatusReadPermission,
  trainingJobCancelPermission,
  trainingJobCreatePermission,
  trainingJobReadPermission,
} from '@internal/backstage-plugin-experiments-common';
import {
  addStatusRoute,
  authorizedOwnerQuery,
  authorizeResource,
  checkDatabase,
  jsonBody,
  MlflowCredentials,
  parseLimit,
  requireUserPermission,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { DatasetCatalog } from './catalog/DatasetCatalog';
import { TemplateCatalog } from './catalog/TemplateCatalog';
import { CustomModels } from './customModels';
import { DatabaseJobStore, StoredJob } from './database/DatabaseJobStore';
import { trainingJobResourceRef } from './permissionRules';
import { JobService } from './service/JobService';
import { parseCreateRequest, parseJobListFilter } from './service/validation';
import { checkMlflow } from './status';
import { TrialStore } from './tune/TrialStore';

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  store: DatabaseJobStore;
  jobs: JobService;
  templates: TemplateCatalog;
  datasets: DatasetCatalog;
  trials: TrialStore;
  customModels: CustomModels;
  trackingUrl: string;
  mlflowCredentials?: MlflowCredentials;
  /** The deepest nesting of a request body. */
  maxBodyDepth: number;
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, store, jobs } = deps;
  const router = Router();
  // Custom models parse their own, larger bodies (the module's source).
  router.use(deps.customModels.router);
  router.use(jsonBody({ maxBytes: 256 * 1024, maxDepth: deps.maxBodyDepth }));
  const ruleset = permissionsRegistry.getPermissionRuleset(
    trainingJobResourceRef,
  );

  /**
   * The job if the caller may read it (and act on it under `permission`); 404 naming only the id
   * the caller sent otherwise, so that another team's job cannot be told from a missing one.
   */
  async function authorizedJob(
    req: express.Request,
    permission?: ResourcePermission,
  ): Promise<StoredJob> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return authorizeResource({
      permissions,
      credentials,
      ruleset,
      readPermission: trainingJobReadPermission,
      permission,
      resource: await store.getJob(req.params.id),
      notFound: `training job ${req.params.id}`,
      describe: job => `job ${job.id}`,
    });
  }

  addStatusRoute(router, {
    pluginId: 'experiments',
    httpAuth,
    permissions,
    permission: experimentsStatusReadPermission,
    checks: () =>
      Promise.all([
        checkMlflow(deps.trackingUrl, deps.mlflowCredentials),
        checkDatabase(store.knex, 'Experiments database'),
      ]),
  });

  router.get('/templates', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const builtIn = deps.templates.list();
    const custom = await deps.customModels.templates(credentials);
    res.json({ items: [...builtIn, ...custom] });
  });

  router.get('/datasets', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ items: await deps.datasets.list(credentials) });
  });

  router.get('/jobs', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const limit = parseLimit(req.query.limit);
    const dataset = parseJobListFilter(req.query);
    const filter = await authorizedOwnerQuery({
      permissions,
      credentials,
      permission: trainingJobReadPermission,
      ruleset,
    });
    const items = await store.listJobs({ filter, limit, ...dataset });
    res.json({ items: items.map(job => jobs.withLinks(job)) });
  });

  router.post('/jobs', async (req, res) => {
    const credentials = await requireUserPermission(
      { httpAuth, permissions },
      req,
      trainingJobCreatePermission,
    );
    const request = parseCreateRequest(req.body);
    const { ownershipEntityRefs } = await deps.userInfo.getUserInfo(
      credentials,
    );
    const job = await jobs.create(request, {
      credentials,
      ownershipEntityRefs,
    });
    res.status(201).json(job);
  });

  router.get('/jobs/:id', async (req, res) => {
    res.json(jobs.withLinks(await authorizedJob(req)));
  });

  router.post('/jobs/:id/cancel', async (req, res) => {
    const job = await authorizedJob(req, trainingJobCancelPermission);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await jobs.cancel(job, credentials.principal.userEntityRef));
  });

  router.get('/jobs/:id/logs', async (req, res) => {
    const offset = parseOffset(req.query.offset);
    res.json(await jobs.logs(await authorizedJob(req), offset));
  });

  router.get('/jobs/:id/metrics', async (req, res) => {
    res.json({ items: await jobs.metrics(await authorizedJob(req)) });
  });

  router.get('/jobs/:id/trials', async (req, res) => {
    const job = await authorizedJob(req);
    res.json({ items: await deps.trials.list(job.id) });
  });

  return router;
}

function parseOffset(value: unknown): number {
  if (value === undefined) return 0;
  const offset = typeof value === 'string' ? Number(value) : NaN;
  if (value === '' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InputError('offset must be a non-negative integer');
  }
  return offset;
}
