import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { DatabaseDatasetStore } from '../database';
import {
  LocalDirectoryObjectStore,
  ObjectStore,
  S3ObjectStore,
} from '../objectStore';
import { datasetsPlugin } from '../plugin';
import { DatasetFiles } from '../versions/DatasetFiles';
import { MIN_PART_SIZE, UploadSessions } from './UploadSessions';
import { UploadSessionStore } from './UploadSessionStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const s3Url = process.env.MLOPS_TEST_S3_URL;
const s3Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const PART = MIN_PART_SIZE;
const MAX_UPLOAD = 4 * PART;

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-upload-sessions-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

type Driver = {
  name: string;
  skip?: string;
  /** The object store config block, and a store on the same place to look inside. */
  create(): Promise<{ config: object; store: ObjectStore }>;
  /** Parts the driver still holds outside of keys (the local driver's part folders). */
  leftoverParts(): string[];
};

const drivers: Driver[] = [
  {
    name: 'local folder',
    create: async () => {
      const root = join(tmp, 'store');
      return {
        config: { type: 'local', root },
        store: new LocalDirectoryObjectStore(root),
      };
    },
    leftoverParts: () => {
      const dir = join(tmp, 'store', '.multipart');
      return existsSync(dir) ? readdirSync(dir) : [];
    },
  },
  {
    name: 'S3',
    skip: s3Url
      ? undefined
      : 'MLOPS_TEST_S3_URL is not set (scripts/test.sh starts a moto server and sets it)',
    create: async () => {
      const bucket = `upload-sessions-${randomUUID()}`;
      const admin = new S3Client({
        endpoint: s3Url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: s3Credentials,
      });
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      admin.destroy();
      const config = {
        type: 's3',
        endpoint: s3Url,
        bucket,
        prefix: 'portal',
        ...s3Credentials,
      };
      return { config, store: new S3ObjectStore(config) };
    },
    // Aborted and completed multipart uploads keep no parts; listing shows every object.
    leftoverParts: () => [],
  },
];

/** A valid CSV of about `bytes` bytes. */
function csvOfSize(bytes: number, lastRow = '7,8.5,z\n'): Buffer {
  const header = 'a,b,label\n';
  const row = '1,2.5,x\n';
  const rows = Math.ceil((bytes - header.length - lastRow.length) / row.length);
  return Buffer.from(header + row.repeat(rows) + lastRow);
}

function sha256(content: Buffer) {
  return createHash('sha256').update(content).digest('hex');
}

describe.each(drivers)('upload sessions on the $name object store', driver => {
  if (driver.skip) {
    it.todo(`skipped: ${driver.skip}`);
    return;
  }

  async function startBackend(
    permissions: ServiceFactory = mockServices.permissions.factory(),
    uploadSessions: object = {},
  ) {
    const knex = await databases.init('SQLITE_3');
    const { config, store } = await driver.create();
    const { server } = await startTestBackend({
      features: [
        datasetsPlugin,
        mockServices.database.factory({ knex }),
        permissions,
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              datasets: {
                objectStore: config,
                maxUploadBytes: MAX_UPLOAD,
                uploadTempDir: join(tmp, 'spool'),
                uploadSessions: { partSizeBytes: PART, ...uploadSessions },
                samples: { enabled: false },
              },
            },
          },
        }),
      ],
    });
    const dataset = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'big' })
      .expect(201);
    const base = `/api/datasets/datasets/${dataset.body.id}`;
    return { server, store, knex, base };
  }

  function putPart(server: any, url: string, body: Buffer) {
    return request(server)
      .put(url)
      .set('Content-Type', 'application/octet-stream')
      .send(body);
  }

  it('resumes after a missing part and commits the joined file as a new version', async () => {
    const { server, store, base } = await startBackend();
    const file = csvOfSize(2 * PART + 1000);
    const created = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'train.csv', size: file.length, contentType: 'text/csv' })
      .expect(201);
    const session = created.body;
    expect(session).toMatchObject({
      path: 'train.csv',
      size: file.length,
      partSize: PART,
      partCount: 3,
      state: 'open',
      parts: [],
      missingParts: [1, 2, 3],
    });
    const url = `${base}/upload-sessions/${session.id}`;
    const part = (n: number) => file.subarray((n - 1) * PART, n * PART);

    await putPart(server, `${url}/parts/1`, part(1)).expect(200, {
      partNumber: 1,
      size: PART,
    });
    await putPart(server, `${url}/parts/3`, part(3)).expect(200);
    // The connection broke before part 2: the browser asks what arrived.
    const resumed = await request(server).get(url).expect(200);
    expect(resumed.body.parts).toEqual([
      { partNumber: 1, size: PART },
      { partNumber: 3, size: file.length - 2 * PART },
    ]);
    expect(resumed.body.missingParts).toEqual([2]);

    const early = await request(server).post(`${url}/complete`);
    expect(early.status).toBe(400);
    expect(early.body.error.message).toBe(
      "Upload of 'train.csv' is missing part(s) 2 of 3; upload them, then complete again",
    );
    expect((await request(server).get(url).expect(200)).body.state).toBe(
      'open',
    );

    await putPart(server, `${url}/parts/2`, part(2)).expect(200);
    const completed = await request(server).post(`${url}/complete`).expect(201);
    expect(completed.body.files).toEqual([
      expect.objectContaining({
        path: 'train.csv',
        size: file.length,
        sha256: sha256(file),
      }),
    ]);
    expect(completed.body.message).toBe('upload train.csv');

    await request(server).get(url).expect(404);
    expect(await store.list()).toEqual([completed.body.files[0].key]);
    expect(driver.leftoverParts()).toEqual([]);
    const schema = await request(server)
      .get(`${base}/versions/${completed.body.version}/schema`)
      .query({ path: 'train.csv' })
      .expect(200);
    expect(schema.body.rowCount).toBe(
      file.toString().trimEnd().split('\n').length - 1,
    );
  });

  it('refuses bad part numbers, parts of the wrong size and files over the limit', async () => {
    const { server, base } = await startBackend();
    const size = PART + 10;
    const { body: session } = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'data.csv', size })
      .expect(201);
    const url = `${base}/upload-sessions/${session.id}`;

    for (const bad of ['0', '3', '-1', '1.5', 'one']) {
      const res = await putPart(
        server,
        `${url}/parts/${bad}`,
        Buffer.from('x'),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Part number must be an integer from 1 to 2; got '${bad}'`,
      );
    }
    const short = await putPart(server, `${url}/parts/2`, Buffer.from('abc'));
    expect(short.status).toBe(400);
    expect(short.body.error.message).toBe(
      "Part 2 of 'data.csv' must be sent with Content-Length 10; got 3",
    );
    expect((await request(server).get(url).expect(200)).body.parts).toEqual([]);

    const tooLarge = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'huge.csv', size: MAX_UPLOAD + 1 });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.message).toBe(
      `'huge.csv' is ${
        MAX_UPLOAD + 1
      } bytes, more than the upload limit of ${MAX_UPLOAD} bytes`,
    );
    const escaping = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: '../x.csv', size: 10 });
    expect(escaping.status).toBe(400);
    expect(escaping.body.error.message).toContain(
      "Invalid object key '../x.csv'",
    );
    const ansi = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'x.csv', size: 10, contentType: 'text/csv\u001b[2J' });
    expect(ansi.status).toBe(400);
    expect(ansi.body.error.message).toContain('without control characters');
    const noSize = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'x.csv', size: -5 });
    expect(noSize.status).toBe(400);
    expect(noSize.body.error.message).toContain(
      "size must be the file's size in bytes",
    );
  });

  it('registers nothing and deletes the parts when the joined file is corrupt', async () => {
    const { server, store, base } = await startBackend();
    const file = csvOfSize(PART + 2000, '1,2\n');
    const { body: session } = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'ragged.csv', size: file.length })
      .expect(201);
    const url = `${base}/upload-sessions/${session.id}`;
    await putPart(server, `${url}/parts/1`, file.subarray(0, PART)).expect(200);
    await putPart(server, `${url}/parts/2`, file.subarray(PART)).expect(200);

    const res = await request(server).post(`${url}/complete`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("CSV file 'ragged.csv'");
    expect(res.body.error.message).toContain('has 2 fields');

    await request(server).get(`${base}/versions`).expect(200, { items: [] });
    await request(server).get(url).expect(404);
    expect(await store.list()).toEqual([]);
    expect(driver.leftoverParts()).toEqual([]);
  });

  it('aborts a session and hides it from other users', async () => {
    const { server, store, base } = await startBackend();
    const { body: session } = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'x.csv', size: 20 })
      .expect(201);
    const url = `${base}/upload-sessions/${session.id}`;
    await putPart(
      server,
      `${url}/parts/1`,
      Buffer.from('a,b\n1,2\n3,4\n5,6\n7,8\n'),
    ).expect(200);

    const otherUser = `Bearer ${mockCredentials.user.token(
      'user:default/someone-else',
    )}`;
    const hidden = await request(server)
      .get(url)
      .set('Authorization', otherUser);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(
      `No upload session '${session.id}' on dataset 'big'`,
    );

    await request(server).delete(url).expect(204);
    await request(server).get(url).expect(404);
    expect(await store.list()).toEqual([]);
    expect(driver.leftoverParts()).toEqual([]);
  });

  it('refuses a fifth session under way on a team with 429 naming the limit', async () => {
    const { server, knex, base } = await startBackend();
    const create = (path: string) =>
      request(server)
        .post(`${base}/upload-sessions`)
        .send({ path, size: MAX_UPLOAD });
    const ids = [];
    for (const n of [1, 2, 3, 4]) {
      ids.push((await create(`part-${n}.csv`).expect(201)).body.id);
    }

    const fifth = await create('part-5.csv');
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.message).toBe(
      'user:default/mock already has 4 upload sessions under way, the limit per team (mlops.datasets.uploadSessions.maxOpenPerTeam = 4); complete or abort one of them first (idle sessions are removed after 24 hours)',
    );
    const rows = await knex('dataset_upload_sessions');
    expect(rows.map(r => r.id).sort()).toEqual([...ids].sort());
    // The refused session's multipart upload was aborted again: only the four hold parts.
    const uploadIds = rows.map(r => r.store_upload_id);
    expect(
      driver.leftoverParts().filter(id => !uploadIds.includes(id)),
    ).toEqual([]);

    await request(server)
      .delete(`${base}/upload-sessions/${ids[0]}`)
      .expect(204);
    await create('part-5.csv').expect(201);
  });

  it('refuses sessions past the configured bytes per team with 429', async () => {
    const { server, knex, base } = await startBackend(undefined, {
      maxOpenPerTeam: 10,
      maxReservedBytesPerTeam: 3 * PART,
    });
    const create = (path: string, size: number) =>
      request(server).post(`${base}/upload-sessions`).send({ path, size });
    await create('a.csv', PART).expect(201);

    const over = await create('b.csv', 2 * PART + 1);
    expect(over.status).toBe(429);
    expect(over.body.error.message).toBe(
      `user:default/mock has upload sessions under way for ${PART} bytes; ${
        2 * PART + 1
      } more would exceed the limit per team of ${
        3 * PART
      } bytes (mlops.datasets.uploadSessions.maxReservedBytesPerTeam); complete or abort one of them first (idle sessions are removed after 24 hours)`,
    );
    expect(await knex('dataset_upload_sessions')).toHaveLength(1);
    await create('b.csv', 2 * PART).expect(201);
  });

  it('checks the dataset update permission', async () => {
    const denyUpdates = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async requests =>
        requests.map(r => ({
          result:
            r.permission.name === 'datasets.dataset.update'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    }).factory;
    const { server, base } = await startBackend(denyUpdates);
    const res = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'x.csv', size: 20 });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      "You are not allowed to datasets.dataset.update on dataset 'big'",
    );
    const anonymous = await request(server)
      .post(`${base}/upload-sessions`)
      .set('Authorization', 'Bearer mock-none-token')
      .send({ path: 'x.csv', size: 20 });
    expect(anonymous.status).toBe(401);
  });

  it('removes stale sessions with their parts', async () => {
    const knex = await databases.init('SQLITE_3');
    const datasets = await DatabaseDatasetStore.create({
      getClient: async () => knex,
    });
    const { store } = await driver.create();
    const files = new DatasetFiles({
      datasets,
      objectStore: store,
      maxUploadBytes: MAX_UPLOAD,
      tempDir: join(tmp, 'spool'),
    });
    const sessions = new UploadSessions({
      sessions: new UploadSessionStore(knex),
      objectStore: store,
      files,
      maxUploadBytes: MAX_UPLOAD,
      staleAfterMs: 60 * 60 * 1000,
    });
    const dataset = await datasets.create({
      name: 'd',
      owner: 'user:default/a',
    });
    const session = await sessions.create({
      dataset,
      path: 'a.csv',
      size: 8,
      createdBy: 'user:default/a',
    });
    await sessions.putPart({
      dataset,
      id: session.id,
      user: 'user:default/a',
      partNumber: '1',
      body: Readable.from([Buffer.from('a,b\n1,2\n')]),
      contentLength: 8,
    });

    expect(await sessions.removeStale(Date.now() + 30 * 60 * 1000)).toBe(0);
    expect(await sessions.removeStale(Date.now() + 2 * 60 * 60 * 1000)).toBe(1);
    await expect(
      sessions.get(dataset, session.id, 'user:default/a'),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(driver.leftoverParts()).toEqual([]);
    expect(await knex('dataset_upload_parts')).toEqual([]);
  });
});
