// For tests only, exported as @internal/mlops-node/testUtils: Backstage's test utilities stay a
// dev dependency.
/* eslint-disable @backstage/no-undeclared-imports */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';

// Two users of two teams, and a policy that grants by ownership.

export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';
const TEAMS: Record<string, string> = {
  'user:default/alice': TEAM_A,
  'user:default/bob': TEAM_B,
};
/** Authorization headers of alice (team A) and bob (team B). */
export const alice = mockCredentials.user.header('user:default/alice');
export const bob = mockCredentials.user.header('user:default/bob');

/** The plugin that registers each resource type the policy conditions on. */
const PLUGIN_OF_RESOURCE: Record<string, string> = {
  'model-deployment': 'serving',
  'drift-monitor': 'drift',
};

function claimsOf(credentials: BackstageCredentials): string[] {
  const ref = (credentials.principal as { userEntityRef: string })
    .userEntityRef;
  return [ref, TEAMS[ref]];
}

/**
 * The user info and permission services of a backend where each user is in one team and may
 * act on what the team owns (deployments and Ray clusters, by the owner rule).
 */
export function teamServices() {
  return [
    mockServices.userInfo.mock({
      getUserInfo: async credentials => ({
        userEntityRef: (credentials.principal as { userEntityRef: string })
          .userEntityRef,
        ownershipEntityRefs: claimsOf(credentials),
      }),
    }).factory,
    mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      // As Backstage's permission service: backend services are always allowed.
      authorizeConditional: async (requests, { credentials }) =>
        requests.map(({ permission }) => {
          if ((credentials.principal as { type?: string }).type === 'service') {
            return { result: AuthorizeResult.ALLOW };
          }
          const resourceType = (permission as { resourceType: string })
            .resourceType;
          return {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: PLUGIN_OF_RESOURCE[resourceType] ?? 'ray-clusters',
            resourceType,
            conditions: {
              rule: OWNER_RULE_NAME,
              resourceType,
              params: { claims: claimsOf(credentials) },
            },
          };
        }),
    }).factory,
  ];
}
