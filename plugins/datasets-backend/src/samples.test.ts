import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  Dataset,
  DatasetVersion,
  FilePreview,
  FileStatistics,
  TableSchema,
} from '@internal/backstage-plugin-datasets-common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import request from 'supertest';
import { LocalDirectoryObjectStore } from './objectStore';
import { datasetsPlugin } from './plugin';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'datasets-samples-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OWNER = 'group:default/data-science';

async function start(knex: Awaited<ReturnType<typeof databases.init>>) {
  return startTestBackend({
    features: [
      datasetsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            datasets: {
              objectStore: { type: 'local', root: join(tmp, 'store') },
              samples: { owner: OWNER },
            },
          },
        },
      }),
    ],
  });
}

/** Pixels of a grayscale PNG made by grayscalePng (one IDAT chunk, filter 0 on each line). */
function pngPixels(dataUrl: string) {
  const png = Buffer.from(
    dataUrl.replace('data:image/png;base64,', ''),
    'base64',
  );
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idatLength = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) {
    pixels.push(...raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)));
  }
  return { width, height, pixels };
}

describe('sample datasets', () => {
  let server: any;
  let datasets: Dataset[];
  let firstStart: { datasets: Dataset[]; objects: string[] };
  let objectsAfter: string[];
  const byName = (name: string) => datasets.find(d => d.name === name)!;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const first = await start(knex);
    const before = await request(first.server).get('/api/datasets/datasets');
    await first.stop();
    // A second start registers nothing new.
    const objectsBefore = await new LocalDirectoryObjectStore(
      join(tmp, 'store'),
    ).list();
    const second = await start(knex);
    server = second.server;
    const after = await request(server).get('/api/datasets/datasets');
    datasets = after.body.items;
    firstStart = { datasets: before.body.items, objects: objectsBefore };
    objectsAfter = await new LocalDirectoryObjectStore(
      join(tmp, 'store'),
    ).list();
  });

  it('changes nothing when started again', () => {
    expect(datasets).toEqual(firstStart.datasets);
    expect(objectsAfter).toEqual(firstStart.objects);
    expect(objectsAfter).toHaveLength(5);
  });

  it('registers MNIST and the synthetic iris table once, owned by the configured team', async () => {
    expect(datasets.map(d => [d.name, d.owner, d.format])).toEqual([
      ['iris-synthetic', OWNER, 'csv'],
      ['mnist', OWNER, 'idx'],
    ]);
    for (const dataset of datasets) {
      const versions = await request(server)
        .get(`/api/datasets/datasets/${dataset.id}/versions`)
        .expect(200);
      expect(versions.body.items).toHaveLength(1);
      expect(versions.body.items[0].version).toBe(dataset.latestVersion);
    }
    const mnist = await request(server)
      .get(
        `/api/datasets/datasets/${byName('mnist').id}/versions/${
          byName('mnist').latestVersion
        }`,
      )
      .expect(200);
    expect(
      (mnist.body as DatasetVersion).files.map(f => [f.path, f.size]),
    ).toEqual([
      ['t10k-images-idx3-ubyte', 7840016],
      ['t10k-labels-idx1-ubyte', 10008],
      ['train-images-idx3-ubyte', 47040016],
      ['train-labels-idx1-ubyte', 60008],
    ]);
  });

  function fileRoute(dataset: Dataset, what: string, path: string) {
    return request(server)
      .get(
        `/api/datasets/datasets/${dataset.id}/versions/${dataset.latestVersion}/${what}`,
      )
      .query({ path });
  }

  it('infers the shape of IDX files and counts the labels', async () => {
    const mnist = byName('mnist');
    const schema = await fileRoute(
      mnist,
      'schema',
      'train-images-idx3-ubyte',
    ).expect(200);
    expect(schema.body).toEqual({
      kind: 'idx',
      dataType: 'uint8',
      dimensions: [60000, 28, 28],
    });

    const stats = await fileRoute(
      mnist,
      'statistics',
      't10k-labels-idx1-ubyte',
    ).expect(200);
    const body = stats.body as Extract<FileStatistics, { kind: 'idx' }>;
    expect(body.classCounts!.map(c => c.label)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(body.classCounts!.reduce((sum, c) => sum + c.count, 0)).toBe(10000);
    // The MNIST test set has 1135 ones and 980 zeros.
    expect(body.classCounts![1].count).toBe(1135);
    expect(body.classCounts![0].count).toBe(980);
  });

  it('previews MNIST digits as PNG images with their labels', async () => {
    const res = await fileRoute(
      byName('mnist'),
      'preview',
      'train-images-idx3-ubyte',
    ).expect(200);
    const preview = res.body as Extract<FilePreview, { kind: 'images' }>;
    expect(preview).toMatchObject({ kind: 'images', width: 28, height: 28 });
    expect(preview.images).toHaveLength(24);
    // The first training digits of MNIST: 5 0 4 1 9 2.
    expect(preview.images.slice(0, 6).map(i => i.label)).toEqual([
      5, 0, 4, 1, 9, 2,
    ]);
    const { width, height, pixels } = pngPixels(preview.images[0].dataUrl);
    expect([width, height]).toEqual([28, 28]);
    expect(Math.max(...pixels)).toBe(255);
    expect(pixels.filter(p => p > 0).length).toBeGreaterThan(100);
  });

  it('infers table columns, previews rows and summarizes columns', async () => {
    const iris = byName('iris-synthetic');
    const schema = await fileRoute(iris, 'schema', 'iris-synthetic.csv').expect(
      200,
    );
    expect(schema.body as TableSchema).toEqual({
      kind: 'table',
      rowCount: 150,
      columns: [
        { name: 'sepal_length', type: 'number' },
        { name: 'sepal_width', type: 'number' },
        { name: 'petal_length', type: 'number' },
        { name: 'petal_width', type: 'number' },
        { name: 'species', type: 'string' },
      ],
    });
    const preview = await fileRoute(
      iris,
      'preview',
      'iris-synthetic.csv',
    ).expect(200);
    expect(preview.body.columns[4]).toBe('species');
    expect(preview.body.rows).toHaveLength(20);
    expect(preview.body.rows[0]).toEqual([
      '5.2',
      '3.6',
      '1.5',
      '0.2',
      'setosa',
    ]);

    const stats = await fileRoute(
      iris,
      'statistics',
      'iris-synthetic.csv',
    ).expect(200);
    const [sepal, , , , species] = stats.body.columns;
    expect(stats.body.rowCount).toBe(150);
    expect(species.topValues).toEqual([
      { value: 'setosa', count: 50 },
      { value: 'versicolor', count: 50 },
      { value: 'virginica', count: 50 },
    ]);
    expect(sepal.mean).toBeGreaterThan(5.3);
    expect(sepal.mean).toBeLessThan(6.3);
    expect(
      sepal.histogram.reduce(
        (s: number, b: { count: number }) => s + b.count,
        0,
      ),
    ).toBe(150);

    const missing = await fileRoute(iris, 'preview', 'nope.csv');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      "This version has no file 'nope.csv'",
    );
  });

  it('streams a file of a version from the local store', async () => {
    const iris = byName('iris-synthetic');
    const res = await fileRoute(iris, 'download', 'iris-synthetic.csv').expect(
      200,
    );
    expect(res.body.toString().split('\n')[0]).toBe(
      'sepal_length,sepal_width,petal_length,petal_width,species',
    );
  });
});
