import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { datasetsPlugin } from '../plugin';
import { VersionFileLocations } from './fileLocations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const CSV = 'a,b,label\n1,2.5,x\n3,4.5,y\n';
const s3Url = process.env.MLOPS_TEST_S3_URL;
const describeS3 = s3Url ? describe : describe.skip;

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-file-locations-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function startBackend(objectStore: object) {
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore,
              uploadTempDir: join(tmp, 'uploads'),
              samples: { enabled: false },
            },
          },
        },
      }),
    ],
  });
  return server;
}

/** A dataset with one uploaded CSV file; returns the path of its files route. */
async function datasetWithCsv(server: any) {
  const dataset = await request(server)
    .post('/api/datasets/datasets')
    .send({ name: 'digits' })
    .expect(201);
  const version = await request(server)
    .post(`/api/datasets/datasets/${dataset.body.id}/files`)
    .query({ path: 'train.csv' })
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(CSV))
    .expect(201);
  return {
    filesPath: `/api/datasets/datasets/${dataset.body.id}/versions/${version.body.version}/files`,
    datasetId: dataset.body.id,
    version: version.body.version,
  };
}

const sha256 = (content: string | Buffer) =>
  createHash('sha256').update(content).digest('hex');

describe('GET /datasets/:id/versions/:version/files', () => {
  it('gives backend services a signed download URL of each file of a local store, and refuses users', async () => {
    const server = await startBackend({
      type: 'local',
      root: join(tmp, 'store'),
    });
    const { filesPath, datasetId, version } = await datasetWithCsv(server);

    const res = await request(server)
      .get(filesPath)
      .set('Authorization', mockCredentials.service.header())
      .expect(200);
    const body = res.body as VersionFileLocations;
    expect(body).toEqual({
      datasetId,
      version,
      files: [
        {
          path: 'train.csv',
          size: CSV.length,
          sha256: sha256(CSV),
          url: expect.stringMatching(
            /^http:\/\/localhost:\d+\/api\/datasets\/downloads\/datasets\/.+\?expires=\d+&signature=[\w-]{43}$/,
          ),
        },
      ],
      urlsExpireAt: expect.any(String),
    });
    // No local path: Ray cannot read the store's folder.
    expect(JSON.stringify(body)).not.toContain(tmp);
    expect(Date.parse(body.urlsExpireAt) - Date.now()).toBeGreaterThan(
      5 * 3600_000,
    );
    // The URL is the credential: it works without any other.
    const fetched = await fetch(body.files[0].url);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(CSV);

    const user = await request(server).get(filesPath);
    expect(user.status).toBe(403);
    await request(server)
      .get(
        `/api/datasets/datasets/${datasetId}/versions/${'f'.repeat(64)}/files`,
      )
      .set('Authorization', mockCredentials.service.header())
      .expect(404);
  });

  describeS3('on an S3 object store', () => {
    it('gives presigned GET URLs', async () => {
      const bucket = `file-locations-${Date.now()}`;
      const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
      const admin = new S3Client({
        endpoint: s3Url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials,
      });
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      admin.destroy();
      const server = await startBackend({
        type: 's3',
        endpoint: s3Url,
        bucket,
        prefix: 'portal',
        ...credentials,
      });
      const { filesPath } = await datasetWithCsv(server);

      const res = await request(server)
        .get(filesPath)
        .set('Authorization', mockCredentials.service.header())
        .expect(200);
      const body = res.body as VersionFileLocations;
      expect(body.files).toEqual([
        {
          path: 'train.csv',
          size: CSV.length,
          sha256: sha256(CSV),
          url: expect.stringMatching(/^http/),
        },
      ]);
      expect(Date.parse(body.urlsExpireAt)).toBeGreaterThan(Date.now());
      const fetched = await fetch(body.files[0].url);
      expect(await fetched.text()).toBe(CSV);
    });
  });
});
