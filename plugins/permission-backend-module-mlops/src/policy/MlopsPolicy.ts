import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogLocationDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  MLOPS_RESOURCE_TYPES,
  MlopsResourceType,
  OWNER_RULE_NAME,
  OwnerRuleParams,
} from '@internal/backstage-plugin-mlops-common';

/**
 * Team ownership for the whole portal:
 * - admins (members of the configured admin groups) may do everything;
 * - everybody signed in may read the catalog, but only an entity's owners may change or delete it;
 * - catalog locations (which may hold other teams' entities) are unregistered by admins only;
 * - scaffolder tasks (their parameters, logs, cancel and retry) belong to the user who started them;
 * - MLOps resources (clusters, datasets, jobs, deployments, drift monitors) are visible and usable
 *   only by their owning team;
 * - other permissions (creating things, templates, search) are granted to signed-in users.
 * Requests without a user are backend-to-backend calls, which Backstage has already authenticated.
 */
export class MlopsPolicy implements PermissionPolicy {
  constructor(private readonly adminRefs: string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = user.info.ownershipEntityRefs;
    if (claims.some(ref => this.adminRefs.includes(ref))) {
      return { result: AuthorizeResult.ALLOW };
    }

    const { permission } = request;
    if (isResourcePermission(permission, 'catalog-entity')) {
      if (permission.attributes.action === 'read') {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

    if (permission.name === catalogLocationDeletePermission.name) {
      return { result: AuthorizeResult.DENY };
    }

    if (isResourcePermission(permission, 'scaffolder-task')) {
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({ createdBy: claims }),
      );
    }

    if (
      permission.type === 'resource' &&
      Object.hasOwn(MLOPS_RESOURCE_TYPES, permission.resourceType)
    ) {
      const resourceType = permission.resourceType as MlopsResourceType;
      const params: OwnerRuleParams = { claims };
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: MLOPS_RESOURCE_TYPES[resourceType],
        resourceType,
        conditions: { rule: OWNER_RULE_NAME, resourceType, params },
      };
    }

    return { result: AuthorizeResult.ALLOW };
  }
}
