import {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';

/** Throws 403 unless the policy allows the caller `permission` (one without a resource). */
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
      `You cannot create a ${what} owned by ${owner}: you belong to ${user.ownershipEntityRefs.join(
        ', ',
      )}`,
    );
  }
  return owner;
}
