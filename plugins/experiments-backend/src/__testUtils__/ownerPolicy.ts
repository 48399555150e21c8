import { mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  MLOPS_RESOURCE_TYPES,
  MlopsResourceType,
  OWNER_RULE_NAME,
} from '@internal/backstage-plugin-mlops-common';

/**
 * A permission policy like MlopsPolicy: MLOps resources (jobs, datasets, ...) go to the owners
 * among `claims`, basic permissions to everyone.
 */
export function ownerPolicy(claims: string[]) {
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    authorizeConditional: async requests =>
      requests.map(({ permission }) => {
        if (!isResourcePermission(permission)) {
          return { result: AuthorizeResult.ALLOW };
        }
        const resourceType = permission.resourceType as MlopsResourceType;
        return {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: MLOPS_RESOURCE_TYPES[resourceType],
          resourceType,
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType,
            params: { claims },
          },
        };
      }),
  }).factory;
}
