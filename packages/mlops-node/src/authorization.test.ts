import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  createPermissionResourceRef,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';
import { authorizeResource } from './authorization';
import { createOwnerRule, OwnerQuery } from './ownership';

type Thing = { name: string; owner: string };
const thingRef = createPermissionResourceRef<Thing, OwnerQuery>().with({
  pluginId: 'things',
  resourceType: 'thing',
});
const ownerRule = createOwnerRule(thingRef);
const ruleset: PermissionRuleset<Thing> = {
  getRuleByName: name => {
    if (name !== OWNER_RULE_NAME) throw new Error(`no rule ${name}`);
    return ownerRule as any;
  },
};
const read = createPermission({
  name: 'thing.read',
  attributes: { action: 'read' },
  resourceType: 'thing',
});
const update = createPermission({
  name: 'thing.update',
  attributes: { action: 'update' },
  resourceType: 'thing',
});
const thing: Thing = { name: 'secret-name', owner: 'group:default/a' };

/** A policy that grants reading to owners and updating to `updaters` only. */
function policy(updaters: string[]) {
  return mockServices.permissions.mock({
    authorizeConditional: async requests =>
      requests.map(({ permission }) => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'things',
        resourceType: 'thing',
        conditions: {
          rule: OWNER_RULE_NAME,
          resourceType: 'thing',
          params: {
            claims:
              permission.name === 'thing.read' ? ['group:default/a'] : updaters,
          },
        },
      })),
  });
}

function authorize(permissions: ReturnType<typeof policy>, resource?: Thing) {
  return authorizeResource({
    permissions,
    credentials: mockCredentials.user(),
    ruleset,
    readPermission: read,
    permission: update,
    resource,
    notFound: "thing 'id-1'",
    describe: t => `thing '${t.name}'`,
  });
}

describe('authorizeResource', () => {
  it('returns a resource the caller may read and act on', async () => {
    await expect(authorize(policy(['group:default/a']), thing)).resolves.toBe(
      thing,
    );
  });

  it('answers 404 alike for a missing and an unreadable resource', async () => {
    const missing = authorize(policy(['group:default/a']), undefined);
    await expect(missing).rejects.toThrow(NotFoundError);
    await expect(missing).rejects.toThrow("No thing 'id-1'");

    const stranger = { ...thing, owner: 'group:default/b' };
    const unreadable = authorize(policy(['group:default/b']), stranger);
    await expect(unreadable).rejects.toThrow(NotFoundError);
    await expect(unreadable).rejects.toThrow("No thing 'id-1'");
  });

  it('answers 403 naming the resource only to a reader', async () => {
    const denied = authorize(policy([]), thing);
    await expect(denied).rejects.toThrow(NotAllowedError);
    await expect(denied).rejects.toThrow("thing 'secret-name'");
  });
});
