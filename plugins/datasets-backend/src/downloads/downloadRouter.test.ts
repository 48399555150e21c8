import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { datasetsPlugin } from '../plugin';
import { VersionFileLocations } from '../versions/fileLocations';
import { DownloadSigner } from './DownloadSigner';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const CSV = 'a,b,label\n1,2.5,x\n3,4.5,y\n';
const SIGNING_KEY = 'k'.repeat(40);

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-downloads-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function startBackend() {
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
              objectStore: { type: 'local', root: join(tmp, 'store') },
              uploadTempDir: join(tmp, 'uploads'),
              samples: { enabled: false },
              downloads: { signingKey: SIGNING_KEY },
            },
          },
        },
      }),
    ],
  });
  return server;
}

/** Uploads a CSV as a new dataset; returns the locations a training job is given. */
async function locatedCsv(server: any): Promise<VersionFileLocations> {
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
  const files = await request(server)
    .get(
      `/api/datasets/datasets/${dataset.body.id}/versions/${version.body.version}/files`,
    )
    .set('Authorization', mockCredentials.service.header())
    .expect(200);
  return files.body;
}

/** The object key in a signed URL. */
const storeKey = (url: string) =>
  decodeURIComponent(
    new URL(url).pathname.replace('/api/datasets/downloads/', ''),
  );

/** The path and query of `url`, for supertest. */
const local = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

describe('signed downloads of the local object store', () => {
  it('streams the object to whoever holds the URL, and answers the same bare 404 to anything else', async () => {
    const server = await startBackend();
    const { files } = await locatedCsv(server);
    const url = new URL(files[0].url);
    const key = storeKey(url.href);

    const ok = await request(server).get(local(url.href)).expect(200);
    expect(ok.body.toString()).toBe(CSV);
    expect(ok.headers['content-length']).toBe(String(CSV.length));
    expect(ok.headers['cache-control']).toBe('no-store');

    const tampered = new URL(url);
    const signature = tampered.searchParams.get('signature')!;
    tampered.searchParams.set(
      'signature',
      `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
    );
    const later = new URL(url);
    later.searchParams.set(
      'expires',
      String(Number(url.searchParams.get('expires')) + 3600),
    );
    const noSignature = new URL(url);
    noSignature.searchParams.delete('signature');
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace(/.$/, 'x');
    const now = Date.now();
    const sign = (secret: string, objectKey: string, at = now) =>
      new DownloadSigner(
        async () => `${url.origin}/api/datasets`,
        secret,
        () => at,
      ).url(objectKey, 60);
    const refused = [
      tampered.href,
      later.href,
      noSignature.href,
      otherKey.href,
      // Signed with another key.
      await sign('x'.repeat(40), key),
      // Signed with the right key, but expired an hour ago.
      await sign(SIGNING_KEY, key, now - 2 * 3600_000),
      // Signed with the right key, but no such object, or no valid key at all.
      await sign(SIGNING_KEY, 'datasets/none/0'.padEnd(70, '0')),
      await sign(SIGNING_KEY, '.staging/x'),
    ];
    for (const href of refused) {
      const res = await request(server).get(local(href));
      expect({ href, status: res.status }).toEqual({ href, status: 404 });
      expect(res.body.error.message).toBe('No such download');
      expect(res.text).not.toContain(tmp);
      expect(res.text).not.toContain('a,b,label');
    }

    // The download needs no credentials, the other routes still do.
    await request(server)
      .get(local(url.href))
      .set('Authorization', mockCredentials.none.header())
      .expect(200);
    await request(server)
      .get('/api/datasets/datasets')
      .set('Authorization', mockCredentials.none.header())
      .expect(401);
  });

  it('hands a Ray job, which cannot read the object store folder, its file through the URL', async () => {
    const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
    const token = requireTestService('MLOPS_TEST_RAY_TOKEN');
    const server = await startBackend();
    const { files } = await locatedCsv(server);
    const { port } = server.address() as AddressInfo;
    // The backend of the test listens on every address; Ray reaches it on loopback.
    const url = files[0].url.replace(
      /^http:\/\/localhost:\d+/,
      `http://127.0.0.1:${port}`,
    );
    const code = [
      'import hashlib, json, os, urllib.request',
      'out = {"uid": os.getuid()}',
      'out["sha256"] = hashlib.sha256(urllib.request.urlopen(os.environ["FILE_URL"]).read()).hexdigest()',
      'try:',
      '    out["store"] = open(os.environ["STORE_FILE"]).read()',
      'except PermissionError:',
      '    out["store"] = "PermissionError"',
      'print("RESULT " + json.dumps(out))',
    ].join('\n');
    const submissionId = `datasets-download-${randomUUID()}`;
    // supertest, not fetch: Ray refuses POSTs with fetch's Sec-Fetch-Mode header (405).
    const ray = request(rayUrl);
    const auth = `Bearer ${token}`;
    await ray
      .post('/api/jobs/')
      .set('Authorization', auth)
      .send({
        submission_id: submissionId,
        entrypoint: 'python -c "import os; exec(os.environ[\'CODE\'])"',
        runtime_env: {
          env_vars: {
            CODE: code,
            FILE_URL: url,
            // The same file, where the backend keeps it.
            STORE_FILE: join(tmp, 'store', storeKey(url)),
            NO_PROXY: '127.0.0.1',
          },
        },
      })
      .expect(200);
    let status = '';
    for (let i = 0; i < 240 && !['SUCCEEDED', 'FAILED'].includes(status); i++) {
      await new Promise(resolve => setTimeout(resolve, 500));
      const job = await ray
        .get(`/api/jobs/${submissionId}`)
        .set('Authorization', auth);
      status = job.body.status;
    }
    const { logs } = (
      await ray.get(`/api/jobs/${submissionId}/logs`).set('Authorization', auth)
    ).body;
    expect({ status, logs }).toEqual({
      status: 'SUCCEEDED',
      logs: expect.stringContaining('RESULT'),
    });
    const result = JSON.parse(/^RESULT (.*)$/m.exec(logs)![1]);
    expect(result).toEqual({
      uid: expect.any(Number),
      sha256: createHash('sha256').update(CSV).digest('hex'),
      store: 'PermissionError',
    });
    expect(result.uid).not.toBe(0);
  });
});
