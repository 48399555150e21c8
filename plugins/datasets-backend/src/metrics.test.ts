import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { TestMetrics } from '@internal/mlops-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { datasetsPlugin } from './plugin';
import { DatasetUploadMetrics, uploadRejectionReason } from './metrics';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const MAX_UPLOAD = 64 * 1024;
const CSV = 'a,b,label\n1,2.5,x\n3,4.5,y\n';

let tmp: string;
let metrics: TestMetrics;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-metrics-'));
  metrics = new TestMetrics();
});
afterEach(async () => {
  await metrics.shutdown();
  rmSync(tmp, { recursive: true, force: true });
});

async function startBackend() {
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      metrics.factory(),
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: { type: 'local', root: join(tmp, 'store') },
              maxUploadBytes: MAX_UPLOAD,
              uploadTempDir: join(tmp, 'uploads'),
              uploadSessions: { maxOpenPerTeam: 1 },
              samples: { enabled: false },
            },
          },
        },
      }),
    ],
  });
  const dataset = await request(server)
    .post('/api/datasets/datasets')
    .send({ name: 'digits' })
    .expect(201);
  return { server, base: `/api/datasets/datasets/${dataset.body.id}` };
}

function upload(server: any, url: string, path: string, body: string) {
  return request(server)
    .post(`${url}/files`)
    .query({ path })
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));
}

function putPart(server: any, url: string, body: string) {
  return request(server)
    .put(url)
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));
}

const uploadedBytes = () => metrics.value('mlops_dataset_upload_bytes_total');
const rejections = (reason: string) =>
  metrics.value('mlops_dataset_upload_rejections_total', { reason });

describe('dataset upload metrics', () => {
  it('count the bytes of accepted uploads and the refused ones by reason', async () => {
    const { server, base } = await startBackend();
    expect(await uploadedBytes()).toBe(0);
    expect(await rejections('quota')).toBe(0);

    // Direct uploads.
    await upload(server, base, 'train.csv', CSV).expect(201);
    expect(await uploadedBytes()).toBe(CSV.length);
    await upload(
      server,
      base,
      'huge.csv',
      `a\n${'1\n'.repeat(MAX_UPLOAD)}`,
    ).expect(413);
    await upload(server, base, 'model.pkl', 'not a dataset').expect(415);
    await upload(server, base, 'bad.csv', 'a,b\n1\n').expect(400);
    expect(await rejections('too_large')).toBe(1);
    expect(await rejections('unsupported_type')).toBe(1);
    expect(await rejections('invalid')).toBe(1);

    // An upload session: refused at creation, at a part, at completion.
    await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'big.csv', size: MAX_UPLOAD + 1 })
      .expect(413);
    const bad = 'a,b\n1\n';
    const session = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'more.csv', size: bad.length })
      .expect(201);
    await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'third.csv', size: 10 })
      .expect(429);
    const url = `${base}/upload-sessions/${session.body.id}`;
    await putPart(server, `${url}/parts/2`, bad).expect(400);
    await putPart(server, `${url}/parts/1`, bad).expect(200);
    // The joined file fails its check: one rejection, though two layers report it.
    await request(server).post(`${url}/complete`).expect(400);
    expect(await rejections('too_large')).toBe(2);
    expect(await rejections('quota')).toBe(1);
    expect(await rejections('invalid')).toBe(3);

    // A session that was removed is not found: no rejection of an upload.
    await request(server).post(`${url}/complete`).expect(404);
    expect(await rejections('invalid')).toBe(3);

    // Parts count once their file is accepted.
    const good = await request(server)
      .post(`${base}/upload-sessions`)
      .send({ path: 'more.csv', size: CSV.length })
      .expect(201);
    const goodUrl = `${base}/upload-sessions/${good.body.id}`;
    await putPart(server, `${goodUrl}/parts/1`, CSV).expect(200);
    expect(await uploadedBytes()).toBe(CSV.length);
    await request(server).post(`${goodUrl}/complete`).expect(201);
    expect(await uploadedBytes()).toBe(2 * CSV.length);

    for (const point of await metrics.points(
      'mlops_dataset_upload_rejections_total',
    )) {
      expect(Object.keys(point.attributes)).toEqual(['reason']);
    }
  });
});

describe('uploadRejectionReason', () => {
  it('leaves out failures that are not the upload’s fault', () => {
    const unavailable = new Error('store down');
    unavailable.name = 'ServiceUnavailableError';
    expect(uploadRejectionReason(unavailable)).toBeUndefined();
    expect(uploadRejectionReason(undefined)).toBeUndefined();
  });

  it('counts an error once however many layers report it', async () => {
    const own = new TestMetrics();
    const uploadMetrics = new DatasetUploadMetrics(own.forPlugin('datasets'));
    const error = new Error('too big');
    error.name = 'PayloadTooLargeError';
    uploadMetrics.rejected(error);
    await expect(uploadMetrics.track(() => Promise.reject(error))).rejects.toBe(
      error,
    );
    expect(
      await own.value('mlops_dataset_upload_rejections_total', {
        reason: 'too_large',
      }),
    ).toBe(1);
    await own.shutdown();
  });
});
