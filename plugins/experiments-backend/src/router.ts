import {
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
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
  checkDatabase,
  filterAuthorized,
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
}): Promise<express.Router> {
  const { httpAuth, permissions, permissionsRegistry, store, jobs } = deps;
  const router = Router();
  router.use(express.json({ limit: '256kb' }));
  const ruleset = permissionsRegistry.getPermissionRuleset(
    trainingJobResourceRef,
  );

  /** The job if the caller may read it; NotFoundError otherwise, so as not to reveal it. */
  async function authorizedJob(
    req: express.Request,
    permission: ResourcePermission = trainingJobReadPermission,
  ): Promise<StoredJob> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const job = await store.getJob(req.params.id);
    const readable =
      job &&
      (
        await filterAuthorized({
          permissions,
          credentials,
          permission: trainingJobReadPermission,
          ruleset,
          items: [job],
        })
      ).length > 0;
    if (!job || !readable) {
      throw new NotFoundError(`No training job ${req.params.id}`);
    }
    if (permission !== trainingJobReadPermission) {
      const allowed = await filterAuthorized({
        permissions,
        credentials,
        permission,
        ruleset,
        items: [job],
      });
      if (allowed.length === 0) {
        throw new NotAllowedError(
          `You are not allowed to ${permission.name} on job ${job.id}`,
        );
      }
    }
    return job;
  }

  addStatusRoute(router, {
    pluginId: 'experiments',
    httpAuth,
    permissions,
    permission: experimentsStatusReadPermission,
    checks: () =>
      Promise.all([
        checkMlflow(deps.trackingUrl),
        checkDatabase(store.knex, 'Experiments database'),
      ]),
  });

  router.get('/templates', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const builtIn = deps.templates.list();
    const custom = await deps.customModels.templates(credentials);
    res.json({ items: [...builtIn, ...custom] });
  });

  router.use(deps.customModels.router);

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
