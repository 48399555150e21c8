import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Dataset,
  DatasetVersion,
} from '@internal/backstage-plugin-datasets-common';
import { OWNER_RULE_NAME } from '@internal/backstage-plugin-mlops-common';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { pngDeclaring, testJpeg } from './formats/testImages';
import { makeZip } from './formats/testZip';
import { LocalDirectoryObjectStore, S3ObjectStore } from './objectStore';
import { datasetsPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-api-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const MAX_UPLOAD = 64 * 1024;

async function startBackend(
  options: {
    permissions?: ServiceFactory;
    userInfo?: ServiceFactory;
    datasets?: object;
  } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const root = join(tmp, 'store');
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      options.permissions ?? mockServices.permissions.factory(),
      ...(options.userInfo ? [options.userInfo] : []),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: { type: 'local', root },
              maxUploadBytes: MAX_UPLOAD,
              uploadTempDir: join(tmp, 'uploads'),
              zip: {
                maxUncompressedBytes: 100 * 1024,
                maxCompressionRatio: 50,
              },
              samples: { enabled: false },
              ...options.datasets,
            },
          },
        },
      }),
    ],
  });
  return { server, store: new LocalDirectoryObjectStore(root) };
}

async function createDataset(server: any, name = 'digits'): Promise<Dataset> {
  const res = await request(server)
    .post('/api/datasets/datasets')
    .send({ name, description: 'test data' })
    .expect(201);
  return res.body;
}

function upload(server: any, id: string, path: string, body: Buffer | string) {
  return request(server)
    .post(`/api/datasets/datasets/${id}/files`)
    .query({ path })
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from(body));
}

function leftoverUploads() {
  const dir = join(tmp, 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function sha256(content: Buffer | string) {
  return createHash('sha256').update(content).digest('hex');
}

function idx(typeCode: number, dims: number[], data: Buffer) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

const CSV = 'a,b,label\n1,2.5,x\n3,4.5,y\n';

describe('dataset versions', () => {
  it('creates a dataset owned by the caller and refuses another owner', async () => {
    const { server } = await startBackend();
    const dataset = await createDataset(server);
    expect(dataset).toMatchObject({
      name: 'digits',
      owner: 'user:default/mock',
    });

    const other = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'x', owner: 'group:default/other-team' });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain(
      'You cannot create a dataset owned by group:default/other-team',
    );
    const bad = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: '../Bad' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('name must be');
    const again = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'digits' });
    expect(again.status).toBe(409);
  });

  it("gives a new dataset to the caller's team unless another of their refs is named", async () => {
    const userInfo = mockServices.userInfo.mock({
      getUserInfo: async () => ({
        userEntityRef: 'user:default/ada',
        ownershipEntityRefs: [
          'user:default/ada',
          'group:default/vision',
          'group:default/nlp',
        ],
      }),
    }).factory;
    const { server } = await startBackend({ userInfo });
    const team = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'a' });
    const nlp = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'b', owner: 'group:default/nlp' });
    const mine = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'c', owner: 'user:default/ada' });

    expect([team.body.owner, nlp.body.owner, mine.body.owner]).toEqual([
      'group:default/vision',
      'group:default/nlp',
      'user:default/ada',
    ]);
  });

  it('makes an immutable, content-addressed version for each change', async () => {
    const { server, store } = await startBackend();
    const dataset = await createDataset(server);

    const first = await upload(server, dataset.id, 'train.csv', CSV).expect(
      201,
    );
    const v1 = first.body as DatasetVersion;
    expect(v1.files).toEqual([
      {
        path: 'train.csv',
        key: `datasets/${dataset.id}/objects/${sha256(CSV)}`,
        size: CSV.length,
        sha256: sha256(CSV),
      },
    ]);
    expect(v1.version).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.parentVersion).toBeUndefined();

    // The same content again changes nothing.
    const same = await upload(server, dataset.id, 'train.csv', CSV).expect(201);
    expect(same.body.version).toBe(v1.version);

    const labels = idx(0x08, [3], Buffer.from([1, 2, 1]));
    const second = await upload(
      server,
      dataset.id,
      'labels-idx1-ubyte',
      labels,
    ).expect(201);
    const v2 = second.body as DatasetVersion;
    expect(v2.version).not.toBe(v1.version);
    expect(v2.parentVersion).toBe(v1.version);
    expect(v2.files.map(f => f.path)).toEqual([
      'labels-idx1-ubyte',
      'train.csv',
    ]);
    expect(v2).toMatchObject({
      fileCount: 2,
      totalBytes: CSV.length + labels.length,
    });

    const versions = await request(server)
      .get(`/api/datasets/datasets/${dataset.id}/versions`)
      .expect(200);
    expect(
      versions.body.items.map((v: DatasetVersion) => v.version).sort(),
    ).toEqual([v1.version, v2.version].sort());
    // v1 still describes what it described.
    const pinned = await request(server)
      .get(`/api/datasets/datasets/${dataset.id}/versions/${v1.version}`)
      .expect(200);
    expect(pinned.body.files).toEqual(v1.files);
    const current = await request(server)
      .get(`/api/datasets/datasets/${dataset.id}`)
      .expect(200);
    expect(current.body).toMatchObject({
      latestVersion: v2.version,
      format: 'mixed',
    });
    expect(await store.list('datasets/')).toHaveLength(2);

    const missing = await request(server).get(
      `/api/datasets/datasets/${dataset.id}/versions/${'0'.repeat(64)}`,
    );
    expect(missing.status).toBe(404);
  });

  it("registers the objects under an existing prefix in the dataset's folder", async () => {
    const { server, store } = await startBackend();
    const dataset = await createDataset(server, 'iris');
    const raw = `datasets/${dataset.id}/raw`;
    await store.put(`${raw}/iris/part-1.csv`, Buffer.from(CSV));
    await store.put(`${raw}/iris/part-2.csv`, Buffer.from('a,b\n1,2\n'));
    await store.put(`${raw}/other.csv`, Buffer.from('x\n'));

    const res = await request(server)
      .post(`/api/datasets/datasets/${dataset.id}/versions`)
      .send({ prefix: `${raw}/iris/` })
      .expect(201);
    expect(res.body.files).toEqual([
      {
        path: 'part-1.csv',
        key: `${raw}/iris/part-1.csv`,
        size: CSV.length,
        sha256: sha256(CSV),
      },
      {
        path: 'part-2.csv',
        key: `${raw}/iris/part-2.csv`,
        size: 8,
        sha256: sha256('a,b\n1,2\n'),
      },
    ]);
    expect(res.body.message).toBe(`register prefix ${raw}/iris/`);

    for (const [prefix, message] of [
      [`${raw}/none/`, `There is no object under '${raw}/none/'`],
      ['../etc/', "'.' and '..' segments are not allowed"],
      [`${raw}/iris`, "it must name a folder, ending with '/'"],
      ['raw/', "only objects in this dataset's own folder"],
    ]) {
      const bad = await request(server)
        .post(`/api/datasets/datasets/${dataset.id}/versions`)
        .send({ prefix });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain(message);
      expect(bad.body.error.message).not.toContain(tmp);
    }
  });

  it('refuses descriptions with control characters or over the length limit', async () => {
    const { server } = await startBackend();
    const cases: [string, string][] = [
      ['\u001b[31mred\u001b[0m', 'control character U+001B at position 1'],
      ['digits \u202Etxt.exe', 'bidirectional control character U+202E'],
      ['a\u2066b', 'bidirectional control character U+2066'],
      ['bell\u0007', 'control character U+0007'],
      ['c1 \u009b31m', 'control character U+009B'],
      ['x'.repeat(4001), 'more than the limit of 4000'],
    ];
    for (const [description, problem] of cases) {
      const res = await request(server)
        .post('/api/datasets/datasets')
        .send({ name: 'd', description });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(problem);
    }
    await request(server)
      .get('/api/datasets/datasets')
      .expect(200, { items: [] });
    // Line breaks and tabs are text.
    const multiline = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'd', description: 'Digits.\n\tScanned in 1998.' });
    expect(multiline.status).toBe(201);
  });

  it('applies the configured image limits', async () => {
    const { server } = await startBackend({
      datasets: { images: { maxPixels: 100, maxWidth: 50, maxHeight: 20 } },
    });
    const dataset = await createDataset(server);
    for (const [width, height, problem] of [
      [11, 10, '110 pixels, more than the limit of 100 pixels per image'],
      [51, 1, 'wider than the limit of 50 pixels'],
      [1, 21, 'taller than the limit of 20 pixels'],
    ] as const) {
      const res = await upload(
        server,
        dataset.id,
        'images/0/a.png',
        pngDeclaring(width, height),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Image 'a.png' is ${width}x${height} pixels: ${problem}`,
      );
    }
    await upload(
      server,
      dataset.id,
      'images/0/a.png',
      pngDeclaring(10, 10),
    ).expect(201);
  });

  it('unpacks a zip archive into the files of a version', async () => {
    const { server } = await startBackend();
    const dataset = await createDataset(server);
    const zip = makeZip([
      { name: 'tables/train.csv', content: Buffer.from(CSV) },
      { name: 'tables/test.csv', content: Buffer.from('a,b,label\n5,6,z\n') },
    ]);
    const res = await upload(
      server,
      dataset.id,
      'bundle/archive.zip',
      zip,
    ).expect(201);
    expect(res.body.files.map((f: { path: string }) => f.path)).toEqual([
      'bundle/tables/test.csv',
      'bundle/tables/train.csv',
    ]);
  });

  describe('refuses bad uploads and leaves nothing behind', () => {
    const bomb = makeZip([
      { name: 'zeros.csv', content: Buffer.alloc(150 * 1024, 0x30) },
    ]);
    const big = makeZip(
      Array.from({ length: 5 }, (_, i) => ({
        name: `part-${i}.csv`,
        // Random-looking digits compress about 2:1: under the ratio limit, over the size limit.
        content: Buffer.from(
          `v\n${Array.from({ length: 4000 }, (_x, j) =>
            ((j * 7919 + i * 104729) % 99991).toString(),
          ).join('\n')}\n`,
        ),
      })),
    );
    const cases: [string, string, Buffer | string, number, string][] = [
      [
        'a truncated IDX file',
        'train-images-idx3-ubyte',
        idx(0x08, [10, 28, 28], Buffer.alloc(100)),
        400,
        "IDX file 'train-images-idx3-ubyte': truncated: the header declares 10x28x28 uint8 (7840 data bytes) but the file has 100",
      ],
      [
        'an IDX file with a bad magic number',
        'x-idx1-ubyte',
        Buffer.from([1, 2, 8, 1, 0, 0, 0, 1, 5]),
        400,
        "IDX file 'x-idx1-ubyte': bad magic number 0x01020801",
      ],
      [
        'an IDX file with an unknown type',
        'y.idx',
        Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 1, 5]),
        400,
        "IDX file 'y.idx': unknown element type code 0x42",
      ],
      [
        'an IDX file with trailing bytes',
        'labels-idx1-ubyte',
        idx(0x08, [2], Buffer.from([1, 2, 3])),
        400,
        "IDX file 'labels-idx1-ubyte': 1 bytes after the 2 uint8 data the header declares",
      ],
      [
        'a CSV file with ragged rows',
        'train.csv',
        'a,b,c\n1,2,3\n4,5\n',
        400,
        "CSV file 'train.csv': line 3 has 2 fields, the header has 3",
      ],
      [
        'a CSV file with an unclosed quote',
        'q.csv',
        'a,b\n1,"2\n',
        400,
        "CSV file 'q.csv': line 2: a quoted field is never closed",
      ],
      ['an empty file', 'e.csv', '', 400, "'e.csv' is empty"],
      [
        'a zip with a ../ path',
        'evil.zip',
        makeZip([{ name: '../evil.csv', content: Buffer.from(CSV) }]),
        400,
        "Zip archive 'evil.zip': entry '../evil.csv' has a '..' path that leads outside the archive",
      ],
      [
        'a zip with an absolute path',
        'abs.zip',
        makeZip([{ name: '/etc/x.csv', content: Buffer.from(CSV) }]),
        400,
        "Zip archive 'abs.zip': entry '/etc/x.csv' has an absolute path",
      ],
      [
        'a zip bomb (compression ratio)',
        'bomb.zip',
        bomb,
        400,
        "Zip archive 'bomb.zip': entry 'zeros.csv' expands",
      ],
      [
        'a zip bomb (total size)',
        'big.zip',
        big,
        400,
        `Zip archive 'big.zip': its files expand to`,
      ],
      [
        'a zip whose entry is bad',
        'bad.zip',
        makeZip([{ name: 'r.csv', content: Buffer.from('a,b\n1\n') }]),
        400,
        "CSV file 'r.csv': line 2 has 1 fields, the header has 2",
      ],
      [
        'a nested zip',
        'nest.zip',
        makeZip([
          {
            name: 'in.zip',
            content: makeZip([{ name: 'a.csv', content: Buffer.from(CSV) }]),
          },
        ]),
        400,
        'nested archives are not supported',
      ],
      [
        'a file over the limit',
        'huge.csv',
        `a\n${'1\n'.repeat(MAX_UPLOAD)}`,
        413,
        `more than the upload limit of ${MAX_UPLOAD} bytes`,
      ],
      [
        'an unsupported type',
        'model.pkl',
        'not a dataset',
        415,
        "Unsupported file type for 'model.pkl': supported are CSV (.csv), IDX",
      ],
      [
        'an object key with ..',
        '../outside.csv',
        CSV,
        400,
        "Invalid object key '../outside.csv': '.' and '..' segments are not allowed",
      ],
      [
        'a PNG that is not one',
        'images/0/a.png',
        'text',
        400,
        "Image 'a.png' is not a PNG file",
      ],
      [
        'a PNG declaring 2^31 x 2^31 pixels',
        'images/0/huge.png',
        pngDeclaring(2 ** 31, 2 ** 31),
        400,
        "Image 'huge.png' is 2147483648x2147483648 pixels: wider than the limit of 16384 pixels",
      ],
      [
        'a 50,000 x 50,000 PNG',
        'images/0/wide.png',
        pngDeclaring(50_000, 50_000),
        400,
        "Image 'wide.png' is 50000x50000 pixels: wider than the limit of 16384 pixels",
      ],
      [
        'a PNG over the pixel limit',
        'images/0/many.png',
        pngDeclaring(10_000, 10_000),
        400,
        "Image 'many.png' is 10000x10000 pixels: 100000000 pixels, more than the limit of 50000000 pixels per image",
      ],
      [
        'a 1 x 50,000 JPEG',
        'images/0/tall.jpg',
        testJpeg(1, 50_000),
        400,
        "Image 'tall.jpg' is 1x50000 pixels: taller than the limit of 16384 pixels",
      ],
      [
        'a zip holding an image over the limits',
        'pets.zip',
        makeZip([
          { name: 'cats/1.png', content: pngDeclaring(1, 1) },
          { name: 'dogs/1.png', content: pngDeclaring(20_000, 20_000) },
        ]),
        400,
        "Image '1.png' is 20000x20000 pixels: wider than the limit of 16384 pixels",
      ],
      [
        'an IDX file with 0 images',
        'empty-images-idx3-ubyte',
        idx(0x08, [0, 28, 28], Buffer.alloc(0)),
        400,
        "IDX file 'empty-images-idx3-ubyte': it holds 0 items; an IDX file needs at least 1",
      ],
      [
        'an IDX file with an empty dimension',
        'flat-idx3-ubyte',
        idx(0x08, [5, 0, 28], Buffer.alloc(0)),
        400,
        "IDX file 'flat-idx3-ubyte': dimension 2 of 5x0x28 is 0",
      ],
      [
        'a 10,000-character path',
        `${'a'.repeat(9996)}.csv`,
        CSV,
        400,
        `Invalid object key '${'a'.repeat(
          100,
        )}…' (10000 characters): it is 10000 bytes long, more than the limit of 1024`,
      ],
      [
        'a file name over 255 bytes',
        `data/${'é'.repeat(130)}.csv`,
        CSV,
        400,
        'is 264 bytes long, more than the limit of 255 for one folder or file name',
      ],
      [
        'a path with a bidirectional override',
        'report\u202Evsc.csv',
        CSV,
        400,
        'it contains a bidirectional control character U+202E at position 7',
      ],
      [
        'a path with an ANSI escape',
        '\u001b[2Jclear.csv',
        CSV,
        400,
        'it contains a control character U+001B at position 1',
      ],
      [
        'a zip entry with a name over 255 bytes',
        'long.zip',
        makeZip([
          { name: `${'b'.repeat(300)}.csv`, content: Buffer.from(CSV) },
        ]),
        400,
        `Zip archive 'long.zip': entry '${'b'.repeat(
          100,
        )}…' (304 characters): the name`,
      ],
    ];

    it.each(cases)('%s', async (_what, path, body, status, message) => {
      const { server, store } = await startBackend();
      const dataset = await createDataset(server);
      const res = await upload(server, dataset.id, path, body);

      expect(res.status).toBe(status);
      expect(res.body.error.message).toContain(message);
      const after = await request(server)
        .get(`/api/datasets/datasets/${dataset.id}`)
        .expect(200);
      expect(after.body.latestVersion).toBeUndefined();
      const versions = await request(server)
        .get(`/api/datasets/datasets/${dataset.id}/versions`)
        .expect(200);
      expect(versions.body.items).toEqual([]);
      expect(await store.list()).toEqual([]);
      expect(leftoverUploads()).toEqual([]);
    });

    it('keeps the previous version when a later upload is bad', async () => {
      const { server, store } = await startBackend();
      const dataset = await createDataset(server);
      const good = await upload(server, dataset.id, 'train.csv', CSV).expect(
        201,
      );
      await upload(server, dataset.id, 'train.csv', 'a,b\n1\n').expect(400);

      const after = await request(server).get(
        `/api/datasets/datasets/${dataset.id}`,
      );
      expect(after.body.latestVersion).toBe(good.body.version);
      expect(await store.list()).toEqual([good.body.files[0].key]);
    });
  });

  it('lets only the owning team read and change a dataset', async () => {
    const ownedBy = (claims: string[]) =>
      mockServices.permissions.mock({
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
              params: { claims },
            },
          })),
      }).factory;
    const { server } = await startBackend({
      permissions: ownedBy(['group:default/team-b']),
    });
    // Created through the API by user:default/mock, which team-b's claims do not include.
    const res = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'secret' });
    expect(res.status).toBe(201);
    const id = res.body.id;

    expect(
      (await request(server).get(`/api/datasets/datasets/${id}`)).status,
    ).toBe(404);
    expect(
      (await request(server).get(`/api/datasets/datasets/${id}/versions`))
        .status,
    ).toBe(404);
    const denied = await upload(server, id, 'a.csv', CSV);
    expect(denied.status).toBe(404);
    expect(denied.body.error.message).toBe(`No dataset with id '${id}'`);
    const anonymous = await request(server)
      .get(`/api/datasets/datasets/${id}`)
      .set('Authorization', 'Bearer mock-none-token');
    expect(anonymous.status).toBe(401);
  });
});

const s3Url = process.env.MLOPS_TEST_S3_URL;
const describeS3 = s3Url ? describe : describe.skip;

describeS3('datasets on an S3 object store', () => {
  it('stores uploads in the bucket, serves presigned downloads and leaves nothing from bad uploads', async () => {
    const bucket = `datasets-api-${Date.now()}`;
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const admin = new S3Client({
      endpoint: s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const s3 = {
      type: 's3',
      endpoint: s3Url,
      bucket,
      prefix: 'portal',
      ...credentials,
    };
    const { server } = await startBackend({ datasets: { objectStore: s3 } });
    const store = new S3ObjectStore({ ...s3, endpoint: s3Url });
    const dataset = await createDataset(server);

    await upload(server, dataset.id, 'bad.csv', 'a,b\n1\n').expect(400);
    expect(await store.list()).toEqual([]);

    const res = await upload(server, dataset.id, 'train.csv', CSV).expect(201);
    expect(await store.list()).toEqual([res.body.files[0].key]);
    const download = await request(server)
      .get(
        `/api/datasets/datasets/${dataset.id}/versions/${res.body.version}/download`,
      )
      .query({ path: 'train.csv' })
      .expect(307);
    const fetched = await fetch(download.headers.location);
    expect(await fetched.text()).toBe(CSV);
    admin.destroy();
  });
});
