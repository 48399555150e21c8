import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';
import { MlopsPolicy } from './MlopsPolicy';

const clusterRead = createPermission({
  name: 'ray-clusters.cluster.read',
  attributes: { action: 'read' },
  resourceType: 'ray-cluster',
});
const jobCreate = createPermission({
  name: 'experiments.job.create',
  attributes: { action: 'create' },
});

function userOf(...ownershipEntityRefs: string[]) {
  return {
    credentials: mockCredentials.user(ownershipEntityRefs[0]),
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  };
}

describe('MlopsPolicy', () => {
  const policy = new MlopsPolicy(['group:default/mlops-admins']);
  const alice = userOf('user:default/alice', 'group:default/team-a');

  it('grants MLOps resources only to their owning team', async () => {
    const decision = await policy.handle({ permission: clusterRead }, alice);

    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'ray-clusters',
      resourceType: 'ray-cluster',
      conditions: {
        rule: OWNER_RULE_NAME,
        resourceType: 'ray-cluster',
        params: { claims: ['user:default/alice', 'group:default/team-a'] },
      },
    });
  });

  it('lets admins do everything', async () => {
    const admin = userOf('user:default/root', 'group:default/mlops-admins');

    await expect(
      policy.handle({ permission: clusterRead }, admin),
    ).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
    await expect(
      policy.handle({ permission: catalogEntityDeletePermission }, admin),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets everyone read the catalog but only owners change it', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });

    const deletion = await policy.handle(
      { permission: catalogEntityDeletePermission },
      alice,
    );
    expect(deletion).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: { claims: ['user:default/alice', 'group:default/team-a'] },
      },
    });
  });

  it('grants basic permissions to signed-in users', async () => {
    await expect(
      policy.handle({ permission: jobCreate }, alice),
    ).resolves.toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('leaves unregistering catalog locations to admins', async () => {
    await expect(
      policy.handle({ permission: catalogLocationDeletePermission }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('gives scaffolder tasks to the user who started them', async () => {
    for (const permission of [taskReadPermission, taskCancelPermission]) {
      await expect(policy.handle({ permission }, alice)).resolves.toMatchObject(
        {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'scaffolder',
          resourceType: 'scaffolder-task',
          conditions: {
            rule: 'IS_TASK_OWNER',
            params: {
              createdBy: ['user:default/alice', 'group:default/team-a'],
            },
          },
        },
      );
    }
  });
});
