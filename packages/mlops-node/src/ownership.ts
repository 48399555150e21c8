import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PermissionCriteria,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  createPermissionResourceRef,
  createPermissionRule,
  PermissionResourceRef,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  OWNER_RULE_NAME,
  OwnedResource,
  OwnerRuleParams,
} from '@internal/backstage-plugin-mlops-common';
import { z } from 'zod';

/**
 * Query form of the ownership rule, for stores that filter in the database.
 *
 * @public
 */
export type OwnerQuery = { ownerIn: string[] };

/**
 * The ownership rule of one MLOps resource type: the resource's owner is among the user's
 * ownership claims.
 *
 * @public
 */
export function createOwnerRule<
  TResource extends OwnedResource,
  TResourceType extends string,
>(resourceRef: PermissionResourceRef<TResource, OwnerQuery, TResourceType>) {
  return createPermissionRule<typeof resourceRef, OwnerRuleParams>({
    name: OWNER_RULE_NAME,
    description:
      'Allow when the resource is owned by the user or one of their teams',
    resourceRef,
    paramsSchema: z.object({
      claims: z.array(z.string()).describe('Ownership entity refs of the user'),
    }),
    apply: (resource, { claims }) => claims.includes(resource.owner),
    toQuery: ({ claims }) => ({ ownerIn: claims }),
  });
}

/**
 * Keeps the items the caller may access under `permission`, applying conditional decisions of
 * the policy (such as ownership) to each item.
 *
 * @public
 */
export async function filterAuthorized<TResource>(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: ResourcePermission;
  ruleset: PermissionRuleset<TResource>;
  items: TResource[];
}): Promise<TResource[]> {
  const [decision] = await options.permissions.authorizeConditional(
    [{ permission: options.permission }],
    { credentials: options.credentials },
  );
  if (decision.result === AuthorizeResult.ALLOW) {
    return options.items;
  }
  if (decision.result === AuthorizeResult.DENY) {
    return [];
  }
  const isAllowed = createConditionAuthorizer(options.ruleset);
  return options.items.filter(item => isAllowed(decision, item));
}

/**
 * The ownership condition under which the caller may access resources under `permission`, for
 * stores that filter in the database (see `whereOwner`): undefined when the policy allows all, a
 * condition that matches nothing when it denies.
 *
 * @public
 */
export async function authorizedOwnerQuery(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: ResourcePermission;
  ruleset: PermissionRuleset<unknown, OwnerQuery>;
}): Promise<PermissionCriteria<OwnerQuery> | undefined> {
  const [decision] = await options.permissions.authorizeConditional(
    [{ permission: options.permission }],
    { credentials: options.credentials },
  );
  if (decision.result === AuthorizeResult.CONDITIONAL) {
    return createConditionTransformer(options.ruleset)(decision.conditions);
  }
  return decision.result === AuthorizeResult.DENY ? { ownerIn: [] } : undefined;
}

/**
 * Keeps the items the caller may access under `permission` when the items belong to another
 * plugin's resource type (e.g. Ray clusters listed by the serving plugin): the portal's policy
 * grants every MLOps resource type by the same ownership rule, so it is applied here directly.
 *
 * @public
 */
export async function filterOwnedItems<
  TResource extends OwnedResource,
>(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: ResourcePermission;
  items: TResource[];
}): Promise<TResource[]> {
  const resourceRef = createPermissionResourceRef<TResource, OwnerQuery>().with(
    {
      pluginId: 'mlops',
      resourceType: options.permission.resourceType,
    },
  );
  const rule = createOwnerRule(resourceRef);
  return filterAuthorized({
    ...options,
    ruleset: {
      getRuleByName: name => {
        if (name !== OWNER_RULE_NAME) {
          throw new Error(`Unknown permission rule '${name}'`);
        }
        return rule as any;
      },
    },
  });
}
