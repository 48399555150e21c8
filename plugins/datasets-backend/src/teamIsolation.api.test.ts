import {
  BackstageCredentials,
  BackstageUserPrincipal,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { LocalDirectoryObjectStore } from './objectStore';
import { datasetsPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-isolation-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const ADA = 'user:default/ada';
const BOB = 'user:default/bob';
const TEAM_OF: Record<string, string> = {
  [ADA]: 'group:default/team-a',
  [BOB]: 'group:default/team-b',
};
const SECRET_NAME = 'team-a-secret-digits';
const CSV = 'a,b,label\n1,2.5,x\n3,4.5,y\n';

/** The caller's ownership claims: themselves and their team. */
function claimsOf(credentials: BackstageCredentials) {
  const user = (credentials.principal as Partial<BackstageUserPrincipal>)
    .userEntityRef;
  return user ? [user, TEAM_OF[user]].filter(Boolean) : [];
}

/** The production policy's rule: every dataset permission is granted to the owner's members. */
const ownershipPolicy = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorizeConditional: async (requests, { credentials }) =>
    requests.map(() => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'datasets',
      resourceType: 'dataset',
      conditions: {
        rule: OWNER_RULE_NAME,
        resourceType: 'dataset',
        params: { claims: claimsOf(credentials) },
      },
    })),
}).factory;

/** Everybody may read every dataset; only the owner's members may change one. */
const readableByAll = mockServices.permissions.mock({
  authorize: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorizeConditional: async (requests, { credentials }) =>
    requests.map(r =>
      r.permission.name === 'datasets.dataset.read'
        ? { result: AuthorizeResult.ALLOW }
        : {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'datasets',
            resourceType: 'dataset',
            conditions: {
              rule: OWNER_RULE_NAME,
              resourceType: 'dataset',
              params: { claims: claimsOf(credentials) },
            },
          },
    ),
}).factory;

const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => ({
    userEntityRef: (credentials.principal as BackstageUserPrincipal)
      .userEntityRef,
    ownershipEntityRefs: claimsOf(credentials),
  }),
}).factory;

const as = (user: string) => `Bearer ${mockCredentials.user.token(user)}`;

async function startBackend(
  options: { permissions?: ServiceFactory; root?: string } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const root = options.root ?? join(tmp, 'store');
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      options.permissions ?? ownershipPolicy,
      userInfo,
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: { type: 'local', root },
              uploadTempDir: join(tmp, 'uploads'),
              samples: { enabled: false },
            },
          },
        },
      }),
    ],
  });
  return { server, knex, store: new LocalDirectoryObjectStore(root) };
}

/** A dataset of `user`'s team with one version holding train.csv. */
async function datasetOf(server: any, user: string, name: string) {
  const created = await request(server)
    .post('/api/datasets/datasets')
    .set('Authorization', as(user))
    .send({ name, description: `${name} of ${TEAM_OF[user]}` })
    .expect(201);
  const version = await request(server)
    .post(`/api/datasets/datasets/${created.body.id}/files`)
    .query({ path: 'train.csv' })
    .set('Authorization', as(user))
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(CSV))
    .expect(201);
  return { id: created.body.id as string, version: version.body };
}

describe("another team's dataset", () => {
  it('answers 404 without its name on every route, and nothing changes', async () => {
    const { server, knex, store } = await startBackend();
    const secret = await datasetOf(server, ADA, SECRET_NAME);
    const session = await request(server)
      .post(`/api/datasets/datasets/${secret.id}/upload-sessions`)
      .set('Authorization', as(ADA))
      .send({ path: 'big.csv', size: 20 })
      .expect(201);
    const base = `/api/datasets/datasets/${secret.id}`;
    const v = secret.version.version;
    const sessionUrl = `${base}/upload-sessions/${session.body.id}`;
    const routes: [string, string, object?][] = [
      ['get', base],
      ['get', `${base}/versions`],
      ['post', `${base}/versions`, { prefix: `datasets/${secret.id}/` }],
      ['get', `${base}/versions/${v}`],
      ['post', `${base}/files?path=mine.csv`],
      ['post', `${base}/upload-sessions`, { path: 'x.csv', size: 10 }],
      ['get', sessionUrl],
      ['put', `${sessionUrl}/parts/1`],
      ['post', `${sessionUrl}/complete`],
      ['delete', sessionUrl],
      ['post', `${base}/imports`, { connectionId: 'x', prefix: '' }],
      ['get', `${base}/versions/${v}/schema?path=train.csv`],
      ['get', `${base}/versions/${v}/preview?path=train.csv`],
      ['get', `${base}/versions/${v}/statistics?path=train.csv`],
      ['get', `${base}/versions/${v}/download?path=train.csv`],
    ];
    const storedBefore = await store.list();

    for (const [method, url, body] of routes) {
      let call = (request(server) as any)
        [method](url)
        .set('Authorization', as(BOB));
      if (method === 'put' || url.includes('/files')) {
        call = call
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.from(CSV));
      } else if (body) {
        call = call.send(body);
      }
      const res = await call;
      const what = `${method.toUpperCase()} ${url}`;
      expect({ what, status: res.status }).toEqual({ what, status: 404 });
      expect(res.body.error.message).toBe(`No dataset with id '${secret.id}'`);
      expect(JSON.stringify(res.body)).not.toContain(SECRET_NAME);
      expect(JSON.stringify(res.body)).not.toContain('team-a');
    }

    // A dataset that does not exist answers the same way.
    const missing = '00000000-0000-4000-8000-000000000000';
    const none = await request(server)
      .post(`/api/datasets/datasets/${missing}/files?path=a.csv`)
      .set('Authorization', as(BOB))
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(CSV));
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe(`No dataset with id '${missing}'`);

    const list = await request(server)
      .get('/api/datasets/datasets')
      .set('Authorization', as(BOB))
      .expect(200);
    expect(list.body.items).toEqual([]);

    // Nothing was written: the same version, the session untouched, no new objects.
    const after = await request(server)
      .get(base)
      .set('Authorization', as(ADA))
      .expect(200);
    expect(after.body.latestVersion).toBe(v);
    expect(await knex('dataset_versions')).toHaveLength(1);
    const stillOpen = await request(server)
      .get(sessionUrl)
      .set('Authorization', as(ADA))
      .expect(200);
    expect(stillOpen.body).toMatchObject({ state: 'open', parts: [] });
    expect(await knex('dataset_upload_sessions')).toHaveLength(1);
    expect(await store.list()).toEqual(storedBefore);
  });

  it('answers 403 naming it to a team that may read it but not change it', async () => {
    const { server } = await startBackend({ permissions: readableByAll });
    const secret = await datasetOf(server, ADA, SECRET_NAME);

    await request(server)
      .get(`/api/datasets/datasets/${secret.id}`)
      .set('Authorization', as(BOB))
      .expect(200);
    const res = await request(server)
      .post(`/api/datasets/datasets/${secret.id}/versions`)
      .set('Authorization', as(BOB))
      .send({ prefix: `datasets/${secret.id}/` });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `You are not allowed to datasets.dataset.update on dataset '${SECRET_NAME}'`,
    );
  });
});

describe('registering a prefix', () => {
  it("reads only the dataset's own folder, never other teams' objects", async () => {
    const { server, store } = await startBackend();
    const secret = await datasetOf(server, ADA, SECRET_NAME);
    const mine = await datasetOf(server, BOB, 'bobs-data');
    const secretKey = secret.version.files[0].key;
    await store.put(`datasets/${secret.id}/raw/more.csv`, Buffer.from(CSV));
    const register = (prefix: string) =>
      request(server)
        .post(`/api/datasets/datasets/${mine.id}/versions`)
        .set('Authorization', as(BOB))
        .send({ prefix });

    for (const prefix of [
      'datasets/',
      `datasets/${secret.id}/`,
      `datasets/${secret.id}/raw/`,
      'raw/',
      'upload-sessions/',
      `datasets/${mine.id}/../${secret.id}/`,
    ]) {
      const res = await register(prefix);
      expect({ prefix, status: res.status }).toEqual({ prefix, status: 400 });
      expect(JSON.stringify(res.body)).not.toContain(SECRET_NAME);
    }
    const outside = await register('datasets/');
    expect(outside.body.error.message).toBe(
      `Invalid prefix 'datasets/': only objects in this dataset's own folder 'datasets/${mine.id}/' can be registered; add files from elsewhere by upload or by import from a connection`,
    );

    const versions = await request(server)
      .get(`/api/datasets/datasets/${mine.id}/versions`)
      .set('Authorization', as(BOB))
      .expect(200);
    expect(versions.body.items).toHaveLength(1);

    // Its own folder can be registered, and holds only its own objects.
    await store.put(`datasets/${mine.id}/raw/extra.csv`, Buffer.from(CSV));
    const own = await register(`datasets/${mine.id}/raw/`).expect(201);
    expect(own.body.files.map((f: { key: string }) => f.key)).toEqual([
      `datasets/${mine.id}/raw/extra.csv`,
    ]);
    expect(JSON.stringify(own.body)).not.toContain(secretKey);
  });

  it('refuses prefixes that are too long or hold control characters, naming the problem', async () => {
    const root = join(tmp, 'store');
    const { server } = await startBackend({ root });
    const mine = await datasetOf(server, BOB, 'bobs-data');
    const area = `datasets/${mine.id}/`;
    const cases: [string, string][] = [
      [
        `${area}${'a'.repeat(100_000)}/`,
        `bytes long, more than the limit of 1024`,
      ],
      [
        `${area}${'a'.repeat(300)}/`,
        'bytes long, more than the limit of 255 for one folder or file name',
      ],
      [`${area}\u001b[31mred/`, 'control character U+001B'],
      [`${area}\u202Etxt.csv/`, 'bidirectional control character U+202E'],
      [`/${area}`, 'absolute paths are not allowed'],
      [`${area}../`, "'.' and '..' segments are not allowed"],
    ];
    for (const [prefix, problem] of cases) {
      for (const route of ['versions', 'imports']) {
        const res = await request(server)
          .post(`/api/datasets/datasets/${mine.id}/${route}`)
          .set('Authorization', as(BOB))
          .send({ prefix, connectionId: 'any' });
        const what = `${route} ${prefix.slice(0, 60)}`;
        expect({ what, status: res.status }).toEqual({ what, status: 400 });
        expect(res.body.error.message).toContain(problem);
        expect(res.body.error.message.length).toBeLessThan(400);
        expect(JSON.stringify(res.body)).not.toContain(root);
        expect(JSON.stringify(res.body)).not.toContain(tmp);
      }
    }
  });
});

describe('errors of the object store', () => {
  it('do not show server paths', async () => {
    // A store folder under a regular file cannot be created, whoever runs the tests.
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const { server } = await startBackend({ root: join(file, 'store') });
    const created = await request(server)
      .post('/api/datasets/datasets')
      .set('Authorization', as(BOB))
      .send({ name: 'data' })
      .expect(201);

    const res = await request(server)
      .post(`/api/datasets/datasets/${created.body.id}/files`)
      .query({ path: 'train.csv' })
      .set('Authorization', as(BOB))
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(CSV));
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(
      /^The datasets backend could not read or write its files \(ENOTDIR\); logId=[0-9a-f]{20}$/,
    );
    expect(JSON.stringify(res.body)).not.toContain(tmp);
    expect(res.body.error.stack).toBeUndefined();
  });
});
