import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
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
  requireUserPermission,
} from '@internal/mlops-node';
import express from 'express';
import Router from 'express-promise-router';
import { createHash } from 'node:crypto';
import { CustomModelChecker } from './CustomModelChecker';
import { CustomModelStore } from './CustomModelStore';
import { customModelResourceRef } from './permissionRules';
import { customModelTemplates } from './templates';

const NAME = /^[a-z][a-z0-9-]{1,62}$/;

export type CustomModelsDeps = {
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  store: CustomModelStore;
  checker: CustomModelChecker;
  maxSourceBytes: number;
};

/**
 * The custom model versions the caller's teams may read, as model templates over the built-in
 * image template `base` (for `GET /templates`).
 */
export async function readableCustomModelTemplates(
  deps: Pick<CustomModelsDeps, 'permissions' | 'permissionsRegistry' | 'store'>,
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

/** Whether the caller's teams may read `model`. */
async function readable(
  deps: Pick<CustomModelsDeps, 'permissions' | 'permissionsRegistry'>,
  credentials: BackstageCredentials,
  model: CustomModel,
): Promise<boolean> {
  const allowed = await filterAuthorized({
    permissions: deps.permissions,
    credentials,
    permission: customModelReadPermission,
    ruleset: deps.permissionsRegistry.getPermissionRuleset(
      customModelResourceRef,
    ),
    items: [model],
  });
  return allowed.length > 0;
}

/** The custom model `name` where the caller's teams may read it; NotFoundError otherwise. */
export async function readableCustomModel(
  deps: Pick<CustomModelsDeps, 'permissions' | 'permissionsRegistry' | 'store'>,
  credentials: BackstageCredentials,
  name: string,
): Promise<CustomModel> {
  const model = await deps.store.get(name);
  if (!model || !(await readable(deps, credentials, model))) {
    throw new NotFoundError(`No custom model "${name}"`);
  }
  return model;
}

/**
 * `/custom-models`: upload (checked in Ray before anything is stored), list and read custom
 * models, owned by a team.
 */
export function createCustomModelsRouter(
  deps: CustomModelsDeps,
): express.Router {
  const { httpAuth, permissions, store } = deps;
  const ruleset = deps.permissionsRegistry.getPermissionRuleset(
    customModelResourceRef,
  );
  const router = Router();
  router.use('/custom-models', express.json({ limit: '1mb' }));

  async function authorizedModel(req: express.Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return readableCustomModel(deps, credentials, req.params.name);
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
    const version = await store.getVersion(
      model.name,
      Number(req.params.version),
    );
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
    const { ownershipEntityRefs } = await deps.userInfo.getUserInfo(
      credentials,
    );
    const existing = await store.get(body.name);
    let owner: string;
    if (existing) {
      if (!ownershipEntityRefs.includes(existing.owner)) {
        throw (await readable(deps, credentials, existing))
          ? new NotAllowedError(
              `Custom model "${body.name}" belongs to ${existing.owner}: you are not a member of it`,
            )
          : new ConflictError(
              `The custom model name "${body.name}" is taken; choose another`,
            );
      }
      owner = existing.owner;
      if (body.owner && body.owner !== owner) {
        throw new InputError(
          `Custom model "${body.name}" belongs to ${owner}; a new version cannot change its owner`,
        );
      }
    } else {
      owner = resolveOwner(body.owner, ownershipEntityRefs, credentials);
    }

    const sha256 = createHash('sha256').update(body.source).digest('hex');
    const same = existing && (await store.findBySha256(body.name, sha256));
    if (same) {
      res.status(200).json(same);
      return;
    }
    const verdict = await deps.checker.check(body.source);
    if (!verdict.ok) {
      throw new InputError(rejection(body.name, verdict.problems));
    }
    const version = await store.addVersion({
      name: body.name,
      owner,
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
  if (b.owner !== undefined && typeof b.owner !== 'string') {
    problems.push('owner must be an entity ref, e.g. group:default/team-a');
  }
  const unknown = Object.keys(b).filter(
    k => !['name', 'source', 'description', 'owner'].includes(k),
  );
  if (unknown.length > 0) {
    problems.push(`unknown fields: ${unknown.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new InputError(`Invalid custom model: ${problems.join('; ')}`);
  }
  return b as {
    name: string;
    source: string;
    description?: string;
    owner?: string;
  };
}

function resolveOwner(
  requested: string | undefined,
  refs: string[],
  credentials: BackstageCredentials<{ type: 'user'; userEntityRef: string }>,
) {
  if (requested) {
    if (!refs.includes(requested)) {
      throw new NotAllowedError(
        `You cannot upload a custom model for ${requested}: you are not a member of it`,
      );
    }
    return requested;
  }
  return (
    refs.find(ref => ref.startsWith('group:')) ??
    credentials.principal.userEntityRef
  );
}

function rejection(name: string, problems: CustomModelProblem[]) {
  const list = problems.length
    ? problems
        .map(p =>
          p.line !== undefined && !p.message.startsWith(`line ${p.line}`)
            ? `line ${p.line}: ${p.message}`
            : p.message,
        )
        .join('; ')
    : 'the check failed without naming a problem';
  return `Custom model "${name}" does not implement the interface: ${list}`;
}
