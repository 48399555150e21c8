import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';

/**
 * The one rule every MLOps route follows for a single resource:
 * - a resource that does not exist, or that the caller may not read, answers 404 with a message
 *   built only from what the caller sent (so the two cannot be told apart, and no name leaks);
 * - a resource the caller may read but not act on under `permission` answers 403;
 * - otherwise the resource is returned.
 *
 * @public
 */
export async function authorizeResource<TResource>(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  ruleset: PermissionRuleset<TResource>;
  /** The read permission of the resource type: who may know the resource exists. */
  readPermission: ResourcePermission;
  /** The permission the route needs; the read permission when omitted. */
  permission?: ResourcePermission;
  /** The resource, or undefined when there is none with the requested id. */
  resource: TResource | undefined;
  /** How the 404 names what was asked for, e.g. `dataset 'abc'` (the caller's own words). */
  notFound: string;
  /** How the 403 names the resource, e.g. `dataset 'mnist'` (only shown to readers). */
  describe?: (resource: TResource) => string;
}): Promise<TResource> {
  const { permissions, credentials, ruleset, readPermission, resource } =
    options;
  const permission = options.permission ?? readPermission;
  if (resource === undefined) {
    throw new NotFoundError(`No ${options.notFound}`);
  }
  const requests =
    permission === readPermission
      ? [{ permission: readPermission }]
      : [{ permission: readPermission }, { permission }];
  const decisions = await permissions.authorizeConditional(requests, {
    credentials,
  });
  const isAllowed = createConditionAuthorizer(ruleset);
  const allows = (decision: PolicyDecision) =>
    decision.result === AuthorizeResult.ALLOW ||
    (decision.result === AuthorizeResult.CONDITIONAL &&
      isAllowed(decision, resource));
  if (!allows(decisions[0])) {
    throw new NotFoundError(`No ${options.notFound}`);
  }
  if (decisions.length > 1 && !allows(decisions[1])) {
    const what = options.describe?.(resource) ?? options.notFound;
    throw new NotAllowedError(
      `You are not allowed to ${permission.name} on ${what}`,
    );
  }
  return resource;
}

/**
 * Throws 403 unless the policy allows the caller `permission` (one without a resource).
 *
 * @public
 */
export async function requirePermission(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: BasicPermission,
): Promise<void> {
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`You are not allowed to ${permission.name}`);
  }
}

/**
 * The owner of something the caller creates: the one they name, which must be among their
 * ownership refs, or by default their first team (themselves when they belong to none).
 *
 * @public
 */
export async function resolveOwner(
  userInfo: UserInfoService,
  credentials: BackstageCredentials<BackstageUserPrincipal>,
  requested: string | undefined,
  what: string,
): Promise<string> {
  const user = await userInfo.getUserInfo(credentials);
  const owner =
    requested ??
    user.ownershipEntityRefs.find(ref => ref.startsWith('group:')) ??
    user.userEntityRef;
  if (!user.ownershipEntityRefs.includes(owner)) {
    throw new NotAllowedError(
      `You cannot create a ${what} owned by ${owner}: you may only create one for ${user.ownershipEntityRefs.join(
        ', ',
      )}`,
    );
  }
  return owner;
}
