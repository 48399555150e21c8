import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DatabaseDatasetStore } from './database';
import { datasetsPlugin } from './plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-backend-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function startBackend(
  options: { root?: string; permissions?: ServiceFactory } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      options.permissions ?? mockServices.permissions.factory(),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: {
                type: 'local',
                root: options.root ?? join(tmp, 'store'),
              },
              samples: { enabled: false },
            },
          },
        },
      }),
    ],
  });
  return { server, store: new DatabaseDatasetStore(knex) };
}

function ownedBy(claims: string[]) {
  return mockServices.permissions.mock({
    authorizeConditional: async requests =>
      requests.map(() => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'datasets',
        resourceType: 'dataset',
        conditions: {
          rule: OWNER_RULE_NAME,
          resourceType: 'dataset',
          params: { claims },
        },
      })),
  }).factory;
}

describe('datasets backend', () => {
  it('reports a writable object store and a working database', async () => {
    const root = join(tmp, 'store');
    const { server } = await startBackend({ root });
    const res = await request(server).get('/api/datasets/status').expect(200);
    const status = res.body as PluginStatus;

    expect(status.pluginId).toBe('datasets');
    expect(status.dependencies).toEqual([
      expect.objectContaining({ name: 'Datasets database', ok: true }),
      expect.objectContaining({
        name: 'Object store writable',
        ok: true,
        message: expect.stringContaining(`probe object in ${root}`),
        details: { location: root, freeBytes: expect.any(Number) },
      }),
    ]);
    expect(status.dependencies[1].details?.freeBytes).toBeGreaterThan(0);
    // The probe object is gone; only the (empty) staging folder is left.
    expect(readdirSync(root)).toEqual(['.staging']);
    expect(readdirSync(join(root, '.staging'))).toEqual([]);
  });

  it('says why an unusable object store folder cannot be used', async () => {
    // Tests run as root, where a read-only folder is still writable: a path under a regular
    // file fails for everybody.
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const { server } = await startBackend({ root: join(file, 'store') });
    const res = await request(server).get('/api/datasets/status').expect(200);
    const objectStore = (res.body as PluginStatus).dependencies[1];

    expect(objectStore.ok).toBe(false);
    expect(objectStore.message).toContain(
      `Cannot use the object store at ${join(file, 'store')}: ENOTDIR`,
    );
  });

  it('lists no dataset at first, then the datasets in the database', async () => {
    const { server, store } = await startBackend();
    await request(server)
      .get('/api/datasets/datasets')
      .expect(200, { items: [] });

    const mnist = await store.create({
      name: 'mnist',
      owner: 'group:default/team-a',
      description: 'Handwritten digits',
      format: 'idx',
    });
    const res = await request(server).get('/api/datasets/datasets').expect(200);

    expect(res.body.items).toEqual([mnist]);
    expect(mnist).toMatchObject({
      name: 'mnist',
      owner: 'group:default/team-a',
      description: 'Handwritten digits',
      format: 'idx',
    });
    expect(mnist.latestVersion).toBeUndefined();
  });

  it('shows a team only its own datasets when the policy grants by ownership', async () => {
    const { server, store } = await startBackend({
      permissions: ownedBy(['user:default/mock', 'group:default/team-b']),
    });
    await store.create({ name: 'mnist', owner: 'group:default/team-a' });
    await store.create({ name: 'iris', owner: 'group:default/team-b' });
    await store.create({ name: 'mnist', owner: 'group:default/team-b' });
    const res = await request(server).get('/api/datasets/datasets').expect(200);

    expect(res.body.items.map((d: Dataset) => `${d.owner} ${d.name}`)).toEqual([
      'group:default/team-b iris',
      'group:default/team-b mnist',
    ]);
  });

  it('refuses callers that are not signed-in users', async () => {
    const { server } = await startBackend();
    const anonymous = await request(server)
      .get('/api/datasets/datasets')
      .set('Authorization', 'Bearer mock-none-token');
    const service = await request(server)
      .get('/api/datasets/status')
      .set('Authorization', 'Bearer mock-service-token');
    const serviceList = await request(server)
      .get('/api/datasets/datasets')
      .set('Authorization', 'Bearer mock-service-token');

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
    expect(serviceList.status).toBe(200);
  });

  it('denies the status route when the policy denies it', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server } = await startBackend({ permissions: permissions.factory });
    const res = await request(server).get('/api/datasets/status');

    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('datasets.status.read');
  });
});
