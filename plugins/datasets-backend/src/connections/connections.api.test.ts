import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { ServiceFactory } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  motoServerPath,
  requireMotoAuth,
  startMotoServer,
} from '../objectStore/motoAuth';
import { datasetsPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const s3Url = process.env.MLOPS_TEST_S3_URL;
const describeS3 = s3Url ? describe : describe.skip;
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-connections-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function startBackend(
  connections?: object,
  permissions?: ServiceFactory,
  allowedEndpoints?: string[],
) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      ...(permissions ? [permissions] : []),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            ...(allowedEndpoints && { network: { allowedEndpoints } }),
            datasets: {
              objectStore: { type: 'local', root: join(tmp, 'store') },
              samples: { enabled: false },
              ...(connections && { connections }),
            },
          },
        },
      }),
    ],
  });
  return { server, knex };
}

const enabled = (allowPrivateEndpoints: boolean) => ({
  encryptionKey: randomBytes(32).toString('base64'),
  allowPrivateEndpoints,
});

function connection(overrides: object = {}) {
  return {
    name: 'lake',
    endpoint: s3Url ?? 'http://127.0.0.1:9000',
    bucket: 'some-bucket',
    accessKeyId: 'test',
    secretAccessKey: SECRET,
    ...overrides,
  };
}

describe('S3 connections', () => {
  it('are disabled without an encryption key', async () => {
    const { server } = await startBackend();
    await request(server)
      .get('/api/datasets/connections')
      .expect(200, { items: [] });
    const res = await request(server)
      .post('/api/datasets/connections')
      .send(connection());
    expect(res.status).toBe(501);
    expect(res.body.error.message).toContain(
      'S3 connections are disabled: set mlops.datasets.connections.encryptionKey',
    );
  });

  it.each([
    ['http://127.0.0.1:9000', '127.0.0.1', 'loopback', '127.0.0.1'],
    ['http://2130706433:9000', '127.0.0.1', 'loopback', '127.0.0.1'],
    [
      'http://[::ffff:127.0.0.1]:9000',
      '::ffff:7f00:1',
      'loopback',
      '::ffff:7f00:1',
    ],
    [
      'http://169.254.169.254',
      '169.254.169.254',
      'link-local',
      '169.254.169.254',
    ],
  ])(
    'refuse the endpoint %s unless the config allows it',
    async (endpoint, host, kind, address) => {
      const { server, knex } = await startBackend(enabled(false));
      const res = await request(server)
        .post('/api/datasets/connections')
        .send(connection({ endpoint }));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Refused: the S3 endpoint host '${host}' resolves to the ${kind} address ${address}, which the portal does not connect to unless an administrator allows it in mlops.network.allowedEndpoints`,
      );
      expect(await knex('dataset_connections')).toEqual([]);
    },
  );

  it("hide another team's connections and refuse imports from them", async () => {
    const onlyTeamB = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'datasets',
          resourceType: 'dataset',
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: 'dataset',
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    }).factory;
    const { server, knex } = await startBackend(enabled(true), onlyTeamB);
    await knex('dataset_connections').insert({
      id: 'c-team-a',
      name: 'lake',
      owner: 'group:default/team-a',
      endpoint: 'https://s3.example.com',
      region: 'us-east-1',
      bucket: 'team-a-data',
      prefix: '',
      force_path_style: true,
      credentials_encrypted: 'v1:x:y:z',
      created_by: 'user:default/a',
      created_at: new Date().toISOString(),
    });
    const dataset = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'mine' })
      .expect(201);

    await request(server)
      .get('/api/datasets/connections')
      .expect(200, { items: [] });
    const imported = await request(server)
      .post(`/api/datasets/datasets/${dataset.body.id}/imports`)
      .send({ connectionId: 'c-team-a', prefix: '' });
    expect(imported.status).toBe(404);
    expect(imported.body.error.message).toBe(
      "No connection with id 'c-team-a'",
    );
    const deleted = await request(server).delete(
      '/api/datasets/connections/c-team-a',
    );
    expect(deleted.status).toBe(404);
    expect(await knex('dataset_connections')).toHaveLength(1);
  });

  it.each([
    [
      { bucket: 'Bad_Bucket' },
      "bucket 'Bad_Bucket' is not a valid S3 bucket name",
    ],
    [
      { prefix: 'no-slash' },
      "prefix must be empty or a folder ending with '/'",
    ],
    [{ secretAccessKey: '' }, 'secretAccessKey must be a non-empty string'],
    [{ name: 'UPPER' }, 'name must be lowercase letters'],
  ])('validate the request: %j', async (override, message) => {
    const { server } = await startBackend(enabled(true));
    const res = await request(server)
      .post('/api/datasets/connections')
      .send(connection(override));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });
});

describeS3('S3 connections to a real S3 server', () => {
  let bucket: string;
  let admin: S3Client;
  beforeAll(async () => {
    admin = new S3Client({
      endpoint: s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    bucket = `lake-${randomUUID()}`;
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [key, body] of [
      ['exports/iris/train.csv', 'a,b,label\n1,2,x\n'],
      ['exports/iris/test.csv', 'a,b,label\n3,4,y\n'],
      ['exports/bad/ragged.csv', 'a,b\n1\n'],
    ]) {
      await admin.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
      );
    }
  });
  afterAll(() => admin.destroy());

  it('checks a connection on save, stores its secret encrypted and never returns it', async () => {
    const { server, knex } = await startBackend(enabled(true));
    const res = await request(server)
      .post('/api/datasets/connections')
      .send(connection({ bucket, prefix: 'exports/' }))
      .expect(201);

    expect(res.body).toMatchObject({
      name: 'lake',
      bucket,
      prefix: 'exports/',
      endpoint: s3Url,
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(JSON.stringify(res.body)).not.toContain('accessKeyId');
    const list = await request(server)
      .get('/api/datasets/connections')
      .expect(200);
    expect(list.body.items).toEqual([res.body]);
    const [row] = await knex('dataset_connections');
    expect(row.credentials_encrypted).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain(SECRET);

    await request(server)
      .delete(`/api/datasets/connections/${res.body.id}`)
      .expect(200);
    await request(server)
      .get('/api/datasets/connections')
      .expect(200, { items: [] });
    await request(server)
      .delete(`/api/datasets/connections/${res.body.id}`)
      .expect(404);
  });

  it('accept a loopback endpoint that the shared allow-list names (mlops.network.allowedEndpoints)', async () => {
    const { server } = await startBackend(enabled(false), undefined, [
      '127.0.0.1/32',
    ]);
    await request(server)
      .post('/api/datasets/connections')
      .send(connection({ bucket, endpoint: s3Url }))
      .expect(201);
    const outside = await request(server)
      .post('/api/datasets/connections')
      .send(
        connection({
          bucket,
          name: 'meta',
          endpoint: 'http://169.254.169.254',
        }),
      );
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toContain(
      'resolves to the link-local address 169.254.169.254',
    );
  });

  it('says why a connection does not work', async () => {
    const { server, knex } = await startBackend(enabled(true));
    const noBucket = await request(server)
      .post('/api/datasets/connections')
      .send(connection({ bucket: 'no-such-bucket-anywhere' }));
    expect(noBucket.status).toBe(400);
    expect(noBucket.body.error.message).toBe(
      `Connection check failed: The bucket 'no-such-bucket-anywhere' does not exist at ${s3Url}`,
    );
    const unreachable = await request(server)
      .post('/api/datasets/connections')
      .send(connection({ bucket, endpoint: 'http://127.0.0.1:1' }));
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.error.message).toBe(
      'Connection check failed: Cannot reach the S3 endpoint http://127.0.0.1:1: ECONNREFUSED',
    );
    expect(await knex('dataset_connections')).toEqual([]);
  });

  it('imports a prefix as a new version that does not change with the bucket', async () => {
    const { server } = await startBackend(enabled(true));
    const lake = await request(server)
      .post('/api/datasets/connections')
      .send(connection({ bucket, prefix: 'exports/' }))
      .expect(201);
    const dataset = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'iris' })
      .expect(201);

    const bad = await request(server)
      .post(`/api/datasets/datasets/${dataset.body.id}/imports`)
      .send({ connectionId: lake.body.id, prefix: 'bad/' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      "CSV file 'ragged.csv': line 2 has 1 fields",
    );

    const imported = await request(server)
      .post(`/api/datasets/datasets/${dataset.body.id}/imports`)
      .send({ connectionId: lake.body.id, prefix: 'iris/' })
      .expect(201);
    expect(imported.body.files.map((f: { path: string }) => f.path)).toEqual([
      'test.csv',
      'train.csv',
    ]);
    expect(imported.body.message).toBe("import connection 'lake'/iris/");

    await admin.send(
      new DeleteObjectCommand({
        Bucket: bucket,
        Key: 'exports/iris/train.csv',
      }),
    );
    const preview = await request(server)
      .get(
        `/api/datasets/datasets/${dataset.body.id}/versions/${imported.body.version}/preview`,
      )
      .query({ path: 'train.csv' })
      .expect(200);
    expect(preview.body.rows).toEqual([['1', '2', 'x']]);
  });
});

const motoServer = motoServerPath();
const describeMoto = motoServer ? describe : describe.skip;

describeMoto(
  'S3 connections to a private moto server with credential checks',
  () => {
    let moto: Awaited<ReturnType<typeof startMotoServer>>;
    beforeAll(async () => {
      moto = await startMotoServer(motoServer!);
    });
    afterAll(() => moto?.stop());

    it('says when the access key is wrong', async () => {
      const admin = new S3Client({
        endpoint: moto.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await admin.send(new CreateBucketCommand({ Bucket: 'guarded' }));
      admin.destroy();
      await requireMotoAuth(moto.url);
      const { server, knex } = await startBackend(enabled(true));
      const res = await request(server)
        .post('/api/datasets/connections')
        .send(
          connection({
            endpoint: moto.url,
            bucket: 'guarded',
            accessKeyId: 'AKIAUNKNOWN',
          }),
        );

      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Connection check failed: Access denied to bucket 'guarded' at ${moto.url} (InvalidAccessKeyId); check the access key and the bucket policy`,
      );
      expect(await knex('dataset_connections')).toEqual([]);
    });
  },
);
