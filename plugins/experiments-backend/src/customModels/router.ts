import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  customModelCreatePermission,
  customModelReadPermission,
  CustomModelProblem,
  CustomModel,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';
import {
  authorizedOwnerQuery,
  filterAuthorized,
  jsonBody,
  requireUserPermission,
  resolveOwner,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { createHash } from 'node:crypto';
import { RayClusters } from '../service/RayClusters';
import { CustomModelChecker } from './CustomModelChecker';
import { CustomModelStore } from './CustomModelStore';
import { customModelResourceRef } from './permissionRules';
import { customModelTemplates } from './templates';

const NAME = /^[a-z][a-z0-9-]{1,62}$/;
const OWNER = /^(group|user):[^/\s]+\/[^/\s]+$/;

export type CustomModelsDeps = {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  store: CustomModelStore;
  checker: CustomModelChecker;
  clusters: RayClusters;
  /** The cluster that checks the uploads of the team owning it. */
  checkCluster: string;
  maxSourceBytes: number;
  maxBodyDepth: number;
};

type ReadDeps = Pick<
  CustomModelsDeps,
  'permissions' | 'permissionsRegistry' | 'store'
>;

/**
 * The custom model versions the caller's teams may read, as model templates over the built-in
 * image template `base` (for `GET /templates`).
 */
export async function readableCustomModelTemplates(
  deps: ReadDeps,
  credentials: BackstageCredentials,
  base: ModelTemplate | undefined,
): Promise<ModelTemplate[]> {
  const filter = await authorizedOwnerQuery({
    permissions: deps.permissions,
    credentials,
    permission: customModelReadPermission,
    ruleset: deps.permissionsRegistry.getPermissionRuleset(
      customModelResourceRef,
    ),
  });
  return customModelTemplates(await deps.store.list(filter), base);
}

/**
 * The custom model `name` the caller may read. Names are unique per team: `owner` (when given)
 * says whose; else the one of `preferredOwner`, else the only one the caller may read. 404 when
 * the caller may read none (whether or not another team has one), 400 when several are readable
 * and nothing tells them apart.
 */
export async function readableCustomModel(
  deps: ReadDeps,
  credentials: BackstageCredentials,
  name: string,
  options: { owner?: string; preferredOwner?: string } = {},
): Promise<CustomModel> {
  const candidates = options.owner
    ? [await deps.store.get(options.owner, name)].filter(
        (m): m is CustomModel => m !== undefined,
      )
    : await deps.store.getByName(name);
  const readable =
    candidates.length === 0
      ? []
      : await filterAuthorized({
          permissions: deps.permissions,
          credentials,
          permission: customModelReadPermission,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            customModelResourceRef,
          ),
          items: candidates,
        });
  if (readable.length === 0) {
    throw new NotFoundError(`No custom model "${name}"`);
  }
  if (readable.length === 1) return readable[0];
  const preferred = readable.find(m => m.owner === options.preferredOwner);
  if (preferred) return preferred;
  throw new InputError(
    `Several custom models you can read are named "${name}" (owned by ${readable
      .map(m => m.owner)
      .join(', ')}): name the owner`,
  );
}

/**
 * `/custom-models`: upload (checked in Ray on a cluster of the owning team before anything is
 * stored), list and read custom models, owned by a team. Names are unique per team.
 */
export function createCustomModelsRouter(
  deps: CustomModelsDeps,
): express.Router {
  const { httpAuth, permissions, store } = deps;
  const ruleset = deps.permissionsRegistry.getPermissionRuleset(
    customModelResourceRef,
  );
  const router = Router();
  router.use(
    '/custom-models',
    jsonBody({
      // The source, JSON-escaped, and the other fields.
      maxBytes: Math.max(1024 * 1024, 2 * deps.maxSourceBytes + 64 * 1024),
      maxDepth: deps.maxBodyDepth,
    }),
  );

  async function authorizedModel(req: express.Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return readableCustomModel(deps, credentials, req.params.name, {
      owner: parseOwnerQuery(req.query.owner),
    });
  }

  router.get('/custom-models', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const filter = await authorizedOwnerQuery({
      permissions,
      credentials,
      permission: customModelReadPermission,
      ruleset,
    });
    res.json({ items: await store.list(filter) });
  });

  router.get('/custom-models/:name', async (req, res) => {
    res.json(await authorizedModel(req));
  });

  router.get('/custom-models/:name/versions/:version', async (req, res) => {
    const model = await authorizedModel(req);
    const number = Number(req.params.version);
    const version =
      Number.isSafeInteger(number) && number > 0
        ? await store.getVersion(model, number)
        : undefined;
    if (!version) {
      throw new NotFoundError(
        `Custom model "${model.name}" has no version ${req.params.version}`,
      );
    }
    res.json(version);
  });

  router.post('/custom-models', async (req, res) => {
    const credentials = await requireUserPermission(
      { httpAuth, permissions },
      req,
      customModelCreatePermission,
    );
    const body = parseCreate(req.body, deps.maxSourceBytes);
    const owner = await resolveOwner(
      deps.userInfo,
      credentials,
      body.owner,
      'custom model',
    );
    const model = { owner, name: body.name };
    const sha256 = createHash('sha256').update(body.source).digest('hex');
    const same = await store.findBySha256(model, sha256);
    if (same) {
      res.status(200).json(same);
      return;
    }
    const cluster = deps.clusters.choose({
      owner,
      requested: body.cluster,
      preferred: deps.checkCluster,
    });
    const verdict = await deps.checker.check(body.source, cluster);
    if (!verdict.ok) {
      throw new InputError(rejection(body.name, verdict.problems));
    }
    const version = await store.addVersion({
      ...model,
      description: body.description,
      createdBy: credentials.principal.userEntityRef,
      source: body.source,
      sha256,
      hyperparameterSchema: verdict.hyperparameterSchema,
      parameterCount: verdict.parameterCount ?? 0,
    });
    res.status(201).json(version);
  });

  return router;
}

function parseOwnerQuery(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !OWNER.test(value)) {
    throw new InputError(
      'owner must be given once, as an entity ref, e.g. group:default/team-a',
    );
  }
  return value;
}

function parseCreate(body: unknown, maxSourceBytes: number) {
  const b = (body ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b.name !== 'string' || !NAME.test(b.name)) {
    problems.push(
      'name must be 2-63 characters: lower-case letters, digits and "-", starting with a letter',
    );
  }
  if (typeof b.source !== 'string' || b.source.trim() === '') {
    problems.push('source must be the Python module as text');
  } else if (Buffer.byteLength(b.source) > maxSourceBytes) {
    problems.push(
      `source is ${Buffer.byteLength(
        b.source,
      )} bytes, at most ${maxSourceBytes}`,
    );
  }
  if (b.description !== undefined && typeof b.description !== 'string') {
    problems.push('description must be a string');
  }
  if (
    b.owner !== undefined &&
    (typeof b.owner !== 'string' || !OWNER.test(b.owner))
  ) {
    problems.push('owner must be an entity ref, e.g. group:default/team-a');
  }
  if (
    b.cluster !== undefined &&
    (typeof b.cluster !== 'string' ||
      b.cluster.length === 0 ||
      b.cluster.length > 255)
  ) {
    problems.push('cluster must be the name of a Ray cluster');
  }
  const unknown = Object.keys(b).filter(
    k => !['name', 'source', 'description', 'owner', 'cluster'].includes(k),
  );
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map(k => JSON.stringify(k.slice(0, 40)));
    problems.push(
      `unknown fields: ${named.join(', ')}${
        unknown.length > named.length ? ` and ${unknown.length - 5} more` : ''
      }`,
    );
  }
  if (problems.length > 0) {
    throw new InputError(`Invalid custom model: ${problems.join('; ')}`);
  }
  return b as {
    name: string;
    source: string;
    description?: string;
    owner?: string;
    cluster?: string;
  };
}

function rejection(name: string, problems: CustomModelProblem[]) {
  const list = problems.length
    ? problems
        .map(p =>
          p.line !== undefined &&
          !new RegExp(`\\bline ${p.line}\\b`).test(p.message)
            ? `line ${p.line}: ${p.message}`
            : p.message,
        )
        .join('; ')
    : 'the check failed without naming a problem';
  return `Custom model "${name}" does not implement the interface: ${list}`;
}
