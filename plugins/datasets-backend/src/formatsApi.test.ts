import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  DatasetVersion,
  FilePreview,
  FileSchema,
  FileStatistics,
} from '@internal/backstage-plugin-datasets-common';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { makeNpy } from './formats/testNpy';
import { testJpeg, testPng } from './formats/testImages';
import { makeZip } from './formats/testZip';
import { LocalDirectoryObjectStore } from './objectStore';
import { datasetsPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-formats-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function startBackend() {
  const knex = await databases.init('SQLITE_3');
  const root = join(tmp, 'store');
  const { server } = await startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: { type: 'local', root },
              maxUploadBytes: 1024 * 1024,
              uploadTempDir: join(tmp, 'uploads'),
              samples: { enabled: false },
            },
          },
        },
      }),
    ],
  });
  const dataset = await request(server)
    .post('/api/datasets/datasets')
    .send({ name: 'data' })
    .expect(201);
  return {
    server,
    id: dataset.body.id as string,
    store: new LocalDirectoryObjectStore(root),
  };
}

function upload(server: any, id: string, path: string, body: Buffer) {
  return request(server)
    .post(`/api/datasets/datasets/${id}/files`)
    .query({ path })
    .set('Content-Type', 'application/octet-stream')
    .send(body);
}

async function insight<T>(
  server: any,
  id: string,
  version: string,
  what: 'schema' | 'preview' | 'statistics',
  path: string,
): Promise<T> {
  const res = await request(server)
    .get(`/api/datasets/datasets/${id}/versions/${version}/${what}`)
    .query({ path })
    .expect(200);
  return res.body;
}

function parquet(rowGroupSize = 3) {
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'id', data: [1, 2, 3, 4, 5, 6, 7], type: 'INT32' },
        {
          name: 'score',
          data: [0.5, 1.5, null, 2.5, 3.5, 4.5, 5.5],
          type: 'DOUBLE',
        },
        {
          name: 'label',
          data: ['cat', 'dog', 'cat', 'cat', 'dog', 'bird', 'cat'],
          type: 'STRING',
        },
        {
          name: 'flag',
          data: [true, false, true, true, false, true, true],
          type: 'BOOLEAN',
        },
      ],
      rowGroupSize,
    }),
  );
}

function int64s(values: number[]) {
  const data = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => data.writeBigInt64LE(BigInt(v), 8 * i));
  return data;
}

/** 5 images of 4×3 pixels, image i filled with the value 10·i, and their labels. */
function digitsNpz(stored = true) {
  const pixels = Buffer.alloc(5 * 3 * 4);
  for (let i = 0; i < 5; i++) pixels.fill(10 * i, i * 12, (i + 1) * 12);
  return makeZip([
    { name: 'x_train.npy', content: makeNpy('|u1', [5, 3, 4], pixels), stored },
    {
      name: 'y_train.npy',
      content: makeNpy('<i8', [5], int64s([3, 1, 3, 0, 3])),
      stored,
    },
    {
      name: 'y_test.npy',
      content: makeNpy('<i8', [2], int64s([9, 9])),
      stored,
    },
  ]);
}

/** Width, height and grey pixels of a PNG from encodePng (one IDAT chunk, no filters). */
function pngGrey(dataUrl: string) {
  const png = Buffer.from(
    dataUrl.replace('data:image/png;base64,', ''),
    'base64',
  );
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    pixels.push(...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)));
  }
  return { width, height, pixels };
}

describe('Parquet', () => {
  it('gives the schema, first rows and column statistics', async () => {
    const { server, id } = await startBackend();
    const res = await upload(server, id, 'train.parquet', parquet()).expect(
      201,
    );
    const { version } = res.body as DatasetVersion;
    const dataset = await request(server).get(`/api/datasets/datasets/${id}`);
    expect(dataset.body.format).toBe('parquet');

    const schema = await insight<FileSchema>(
      server,
      id,
      version,
      'schema',
      'train.parquet',
    );
    expect(schema).toEqual({
      kind: 'table',
      rowCount: 7,
      columns: [
        { name: 'id', type: 'integer', sourceType: 'INT32' },
        { name: 'score', type: 'number', sourceType: 'DOUBLE' },
        {
          name: 'label',
          type: 'string',
          sourceType: expect.stringMatching(/^BYTE_ARRAY/),
        },
        { name: 'flag', type: 'boolean', sourceType: 'BOOLEAN' },
      ],
    });
    const preview = await insight<FilePreview>(
      server,
      id,
      version,
      'preview',
      'train.parquet',
    );
    expect(preview).toEqual({
      kind: 'table',
      columns: ['id', 'score', 'label', 'flag'],
      rows: [
        ['1', '0.5', 'cat', 'true'],
        ['2', '1.5', 'dog', 'false'],
        ['3', '', 'cat', 'true'],
        ['4', '2.5', 'cat', 'true'],
        ['5', '3.5', 'dog', 'false'],
        ['6', '4.5', 'bird', 'true'],
        ['7', '5.5', 'cat', 'true'],
      ],
    });
    const stats = await insight<Extract<FileStatistics, { kind: 'table' }>>(
      server,
      id,
      version,
      'statistics',
      'train.parquet',
    );
    expect(stats.rowCount).toBe(7);
    expect(stats.columns[0]).toMatchObject({
      name: 'id',
      min: 1,
      max: 7,
      mean: 4,
    });
    expect(stats.columns[1]).toMatchObject({
      name: 'score',
      count: 6,
      missing: 1,
      max: 5.5,
    });
    expect(stats.columns[2].topValues).toEqual([
      { value: 'cat', count: 4 },
      { value: 'dog', count: 2 },
      { value: 'bird', count: 1 },
    ]);
  });
});

describe('NPZ', () => {
  it.each([
    ['stored (np.savez)', true],
    ['deflated (np.savez_compressed)', false],
  ])('previews image arrays with their labels, %s', async (_what, stored) => {
    const { server, id } = await startBackend();
    const res = await upload(
      server,
      id,
      'digits.npz',
      digitsNpz(stored),
    ).expect(201);
    const { version } = res.body as DatasetVersion;

    const schema = await insight<FileSchema>(
      server,
      id,
      version,
      'schema',
      'digits.npz',
    );
    expect(schema).toEqual({
      kind: 'npz',
      arrays: [
        {
          name: 'x_train',
          dtype: '|u1',
          shape: [5, 3, 4],
          fortranOrder: false,
        },
        { name: 'y_train', dtype: '<i8', shape: [5], fortranOrder: false },
        { name: 'y_test', dtype: '<i8', shape: [2], fortranOrder: false },
      ],
    });
    const preview = await insight<Extract<FilePreview, { kind: 'images' }>>(
      server,
      id,
      version,
      'preview',
      'digits.npz',
    );
    expect(preview).toMatchObject({ kind: 'images', width: 4, height: 3 });
    expect(preview.caption).toBe('x_train (5×3×4 |u1), labels from y_train');
    expect(preview.images.map(i => i.label)).toEqual([3, 1, 3, 0, 3]);
    expect(pngGrey(preview.images[2].dataUrl)).toEqual({
      width: 4,
      height: 3,
      pixels: new Array(12).fill(20),
    });
    const stats = await insight<FileStatistics>(
      server,
      id,
      version,
      'statistics',
      'digits.npz',
    );
    expect(stats).toMatchObject({
      kind: 'npz',
      labels: {
        array: 'y_train',
        classCounts: [
          { label: 0, count: 1 },
          { label: 1, count: 1 },
          { label: 3, count: 3 },
        ],
      },
    });
  });

  it('previews the first rows of 1-D and 2-D arrays', async () => {
    const { server, id } = await startBackend();
    const features = Buffer.alloc(4 * 6);
    [1.5, 2, 3, 4, 5, 6.25].forEach((v, i) => features.writeFloatLE(v, 4 * i));
    // Column-major: the columns are [1, 2, 3] and [4, 5, 6].
    const fortran = Buffer.alloc(2 * 6);
    [1, 2, 3, 4, 5, 6].forEach((v, i) => fortran.writeInt16LE(v, 2 * i));
    const labels = Buffer.alloc(3 * 12);
    ['a', 'bb', 'a'].forEach((s, i) =>
      [...s].forEach((c, j) =>
        labels.writeUInt32LE(c.charCodeAt(0), i * 12 + j * 4),
      ),
    );
    const npz = makeZip([
      { name: 'features.npy', content: makeNpy('<f4', [3, 2], features) },
      { name: 'f.npy', content: makeNpy('<i2', [3, 2], fortran, true) },
      { name: 'labels.npy', content: makeNpy('<U3', [3], labels) },
    ]);
    const res = await upload(server, id, 'table.npz', npz).expect(201);
    const preview = await insight<FilePreview>(
      server,
      id,
      res.body.version,
      'preview',
      'table.npz',
    );
    expect(preview).toEqual({
      kind: 'tables',
      tables: [
        {
          name: 'features (3×2 <f4)',
          columns: ['index', '0', '1'],
          rows: [
            ['0', '1.5', '2'],
            ['1', '3', '4'],
            ['2', '5', '6.25'],
          ],
        },
        {
          name: 'f (3×2 <i2)',
          columns: ['index', '0', '1'],
          rows: [
            ['0', '1', '4'],
            ['1', '2', '5'],
            ['2', '3', '6'],
          ],
        },
        {
          name: 'labels (3 <U3)',
          columns: ['index', 'labels'],
          rows: [
            ['0', 'a'],
            ['1', 'bb'],
            ['2', 'a'],
          ],
        },
      ],
    });
    const stats = await insight<FileStatistics>(
      server,
      id,
      res.body.version,
      'statistics',
      'table.npz',
    );
    expect(stats).toMatchObject({
      kind: 'npz',
      labels: {
        array: 'labels',
        classCounts: [
          { label: 'a', count: 2 },
          { label: 'bb', count: 1 },
        ],
      },
    });
  });
});

describe('image folders', () => {
  const folder = () =>
    makeZip([
      { name: 'cats/1.png', content: testPng(4, 3, [255, 0, 0]) },
      { name: 'cats/2.png', content: testPng(4, 3, [0, 255, 0]) },
      { name: 'cats/3.png', content: testPng(4, 3, [0, 0, 255]) },
      { name: 'dogs/1.jpg', content: testJpeg(4, 3) },
    ]);

  it('gives classes, an image grid with class labels and the class balance', async () => {
    const { server, id } = await startBackend();
    const res = await upload(server, id, 'pets/pets.zip', folder()).expect(201);
    const { version } = res.body as DatasetVersion;
    expect(res.body.files.map((f: { path: string }) => f.path)).toEqual([
      'pets/cats/1.png',
      'pets/cats/2.png',
      'pets/cats/3.png',
      'pets/dogs/1.jpg',
    ]);
    const dataset = await request(server).get(`/api/datasets/datasets/${id}`);
    expect(dataset.body.format).toBe('images');

    const schema = await insight<FileSchema>(
      server,
      id,
      version,
      'schema',
      'pets/cats/2.png',
    );
    expect(schema).toEqual({
      kind: 'imageFolder',
      root: 'pets',
      classes: [
        { name: 'cats', count: 3 },
        { name: 'dogs', count: 1 },
      ],
      imageSizes: [{ width: 4, height: 3, count: 4 }],
      sizesMeasured: 4,
    });
    const preview = await insight<Extract<FilePreview, { kind: 'images' }>>(
      server,
      id,
      version,
      'preview',
      'pets/cats/2.png',
    );
    // The chosen image first, then the classes take turns.
    expect(preview.images.map(i => i.label)).toEqual([
      'cats',
      'cats',
      'dogs',
      'cats',
    ]);
    expect(preview.images[0].dataUrl).toBe(
      `data:image/png;base64,${testPng(4, 3, [0, 255, 0]).toString('base64')}`,
    );
    expect(preview.images[2].dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    expect(preview).toMatchObject({ width: 4, height: 3 });
    const stats = await insight<FileStatistics>(
      server,
      id,
      version,
      'statistics',
      'pets/dogs/1.jpg',
    );
    expect(stats).toEqual({
      kind: 'imageFolder',
      root: 'pets',
      imageCount: 4,
      classCounts: [
        { label: 'cats', count: 3 },
        { label: 'dogs', count: 1 },
      ],
    });
  });

  it('checks Parquet and NPZ files inside a zip archive like uploads', async () => {
    const { server, id } = await startBackend();
    const zip = makeZip([
      { name: 'tables/train.parquet', content: parquet() },
      { name: 'arrays/digits.npz', content: digitsNpz() },
    ]);
    const res = await upload(server, id, 'bundle.zip', zip).expect(201);
    expect(res.body.files.map((f: { path: string }) => f.path)).toEqual([
      'arrays/digits.npz',
      'tables/train.parquet',
    ]);
  });
});

describe('refuses bad files and leaves nothing behind', () => {
  const good = parquet();
  const footerLength = good.readUInt32LE(good.length - 8);
  const badFooter = Buffer.from(good);
  badFooter.fill(0xff, good.length - 8 - footerLength, good.length - 8);
  const hugeFooter = Buffer.from(good);
  hugeFooter.writeUInt32LE(good.length, good.length - 8);
  const pixels = Buffer.alloc(12, 1);
  const pickled = makeZip([
    {
      name: 'x.npy',
      content: makeNpy('|O', [2], Buffer.from('\x80\x04K\x01.\x80\x04K\x02.')),
    },
  ]);

  const cases: [string, string, Buffer, number, string][] = [
    [
      'a truncated Parquet file',
      'train.parquet',
      good.subarray(0, good.length - 20),
      400,
      "Parquet file 'train.parquet': truncated or corrupt: it does not end with 'PAR1' (the footer is missing)",
    ],
    [
      'a Parquet file whose footer length is wrong',
      'train.parquet',
      hugeFooter,
      400,
      "Parquet file 'train.parquet': truncated or corrupt: the footer declares",
    ],
    [
      'a Parquet file with a corrupt footer',
      'train.parquet',
      badFooter,
      400,
      "Parquet file 'train.parquet': its footer metadata cannot be read",
    ],
    [
      'a .parquet file that is not one',
      'train.parquet',
      Buffer.from('a,b\n1,2\n3,4\n5,6\n'),
      400,
      "Parquet file 'train.parquet': not a Parquet file: it does not start with 'PAR1'",
    ],
    [
      'an NPZ file with a pickled object array',
      'objects.npz',
      pickled,
      400,
      "NPZ file 'objects.npz': array 'x': holds Python objects (dtype 'O'); reading them would mean unpickling",
    ],
    [
      'an NPZ file with a truncated array',
      'short.npz',
      makeZip([
        {
          name: 'x.npy',
          content: makeNpy('|u1', [4, 3], pixels.subarray(0, 7)),
        },
      ]),
      400,
      "NPZ file 'short.npz': array 'x': truncated: the header declares shape (4, 3) |u1 (12 data bytes) but the array has 7",
    ],
    [
      'an NPZ file that is not a zip archive',
      'x.npz',
      makeNpy('|u1', [12], pixels),
      400,
      "NPZ file 'x.npz': not a readable zip archive of .npy arrays",
    ],
    [
      'an NPZ file with another kind of entry',
      'x.npz',
      makeZip([{ name: 'notes.txt', content: Buffer.from('hi') }]),
      400,
      "NPZ file 'x.npz': entry 'notes.txt' is not a .npy array",
    ],
    [
      'a truncated NPZ file',
      'x.npz',
      digitsNpz().subarray(0, 200),
      400,
      "NPZ file 'x.npz': not a readable zip archive of .npy arrays",
    ],
    [
      'an image folder with an image that is not a valid PNG',
      'pets.zip',
      makeZip([
        { name: 'cats/1.png', content: testPng() },
        { name: 'dogs/1.png', content: testPng().subarray(0, 50) },
      ]),
      400,
      "Image '1.png' is not a valid PNG file: truncated",
    ],
    [
      'an image folder with a truncated JPEG',
      'pets.zip',
      makeZip([
        { name: 'cats/1.png', content: testPng() },
        { name: 'dogs/1.jpg', content: testJpeg().subarray(0, 40) },
      ]),
      400,
      "Image '1.jpg' is not a valid JPEG file: truncated",
    ],
    [
      'an image folder with an image outside a class folder',
      'pets.zip',
      makeZip([
        { name: 'cats/1.png', content: testPng() },
        { name: 'dogs/1.png', content: testPng() },
        { name: 'stray.png', content: testPng() },
      ]),
      400,
      "Zip archive 'pets.zip': image 'stray.png' is outside a class folder",
    ],
    [
      'an image folder with a single class',
      'pets.zip',
      makeZip([
        { name: 'cats/1.png', content: testPng() },
        { name: 'cats/2.png', content: testPng() },
      ]),
      400,
      "Zip archive 'pets.zip': the images have a single class 'cats': an image dataset needs at least two class folders",
    ],
    [
      'a zip archive with a bad Parquet file',
      'bundle.zip',
      makeZip([{ name: 'a.parquet', content: good.subarray(0, 30) }]),
      400,
      "Parquet file 'a.parquet': truncated or corrupt",
    ],
  ];

  it.each(cases)('%s', async (_what, path, body, status, message) => {
    const { server, id, store } = await startBackend();
    const res = await upload(server, id, path, body);

    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
    const after = await request(server)
      .get(`/api/datasets/datasets/${id}`)
      .expect(200);
    expect(after.body.latestVersion).toBeUndefined();
    const versions = await request(server)
      .get(`/api/datasets/datasets/${id}/versions`)
      .expect(200);
    expect(versions.body.items).toEqual([]);
    expect(await store.list()).toEqual([]);
    const uploads = join(tmp, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
  });
});
