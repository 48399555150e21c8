import { DatasetFile } from '@internal/backstage-plugin-datasets-common';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalDirectoryObjectStore } from '../objectStore';
import { FileInsights } from './fileInsights';
import { validateFile } from './inspect';

// Files written by numpy and pyarrow themselves, from the repository's Python environment.
const python = resolve(__dirname, '../../../../.venv/bin/python');
const available =
  existsSync(python) &&
  spawnSync(python, ['-c', 'import numpy, pyarrow']).status === 0;
const describeReal = available ? describe : describe.skip;
if (!available) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the numpy/pyarrow file tests: ${python} cannot import numpy and pyarrow (scripts/bootstrap.sh)`,
  );
}

const SCRIPT = `
import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
out = sys.argv[1]
rng = np.random.default_rng(0)
np.savez(f'{out}/digits.npz', x_train=rng.integers(0, 255, (6, 8, 8), dtype=np.uint8),
         y_train=np.array([1, 2, 1, 0, 1, 2]), y_test=np.array([0, 1]))
np.savez_compressed(f'{out}/colour.npz', images=rng.random((3, 5, 5, 3), dtype=np.float32),
                    labels=np.array(['cat', 'dog', 'cat']))
np.savez(f'{out}/objects.npz', x=np.array([{'a': 1}, None], dtype=object))
np.savez(f'{out}/fortran.npz', m=np.asfortranarray(np.arange(6, dtype='>i4').reshape(2, 3)))
table = pa.table({
    'id': pa.array([1, 2, 3], pa.int64()),
    'score': pa.array([0.5, None, 2.5]),
    'name': pa.array(['a', 'b', None]),
    'tags': pa.array([['x'], [], ['y', 'z']]),
})
for codec in ['none', 'snappy', 'gzip', 'zstd', 'brotli']:
    pq.write_table(table, f'{out}/t-{codec}.parquet', compression=codec, row_group_size=2)
`;

describeReal('files written by numpy and pyarrow', () => {
  let dir: string;
  let store: LocalDirectoryObjectStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datasets-real-'));
    const run = spawnSync(python, ['-c', SCRIPT, dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    store = new LocalDirectoryObjectStore(join(dir, 'store'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function stored(name: string): Promise<DatasetFile> {
    const path = join(dir, name);
    const size = statSync(path).size;
    await store.put(name, readFileSync(path));
    return { path: name, key: name, size, sha256: '' };
  }

  it('reads .npz files from np.savez and np.savez_compressed', async () => {
    expect(await validateFile(join(dir, 'digits.npz'), 'digits.npz', 0)).toBe(
      'npz',
    );
    const insights = new FileInsights(store);
    const digits = await stored('digits.npz');
    const preview = await insights.preview(digits, [digits]);
    expect(preview).toMatchObject({ kind: 'images', width: 8, height: 8 });
    expect(
      (preview as { images: { label: number }[] }).images.map(i => i.label),
    ).toEqual([1, 2, 1, 0, 1, 2]);

    const colour = await stored('colour.npz');
    expect(await validateFile(join(dir, 'colour.npz'), 'colour.npz', 0)).toBe(
      'npz',
    );
    expect(await insights.preview(colour, [colour])).toMatchObject({
      kind: 'images',
      width: 5,
      height: 5,
      caption: 'images (3×5×5×3 <f4), labels from labels',
      images: [{ label: 'cat' }, { label: 'dog' }, { label: 'cat' }],
    });
    expect(await insights.statistics(colour)).toMatchObject({
      labels: {
        classCounts: [
          { label: 'cat', count: 2 },
          { label: 'dog', count: 1 },
        ],
      },
    });

    const fortran = await stored('fortran.npz');
    expect(await insights.preview(fortran, [fortran])).toEqual({
      kind: 'tables',
      tables: [
        {
          name: 'm (2×3 >i4)',
          columns: ['index', '0', '1', '2'],
          rows: [
            ['0', '0', '1', '2'],
            ['1', '3', '4', '5'],
          ],
        },
      ],
    });
  });

  it('refuses a pickled object array without unpickling it', async () => {
    await expect(
      validateFile(join(dir, 'objects.npz'), 'objects.npz', 0),
    ).rejects.toThrow(
      "NPZ file 'objects.npz': array 'x': holds Python objects (dtype 'O')",
    );
  });

  it.each(['none', 'snappy', 'gzip', 'zstd', 'brotli'])(
    'reads Parquet compressed with %s',
    async codec => {
      const name = `t-${codec}.parquet`;
      expect(await validateFile(join(dir, name), name, 0)).toBe('parquet');
      const insights = new FileInsights(store);
      const file = await stored(name);
      expect(await insights.schema(file)).toEqual({
        kind: 'table',
        rowCount: 3,
        columns: [
          { name: 'id', type: 'integer', sourceType: 'INT64' },
          { name: 'score', type: 'number', sourceType: 'DOUBLE' },
          { name: 'name', type: 'string', sourceType: expect.any(String) },
          { name: 'tags', type: 'string', sourceType: 'LIST' },
        ],
      });
      expect(await insights.preview(file, [file])).toEqual({
        kind: 'table',
        columns: ['id', 'score', 'name', 'tags'],
        rows: [
          ['1', '0.5', 'a', '["x"]'],
          ['2', '', 'b', '[]'],
          ['3', '2.5', '', '["y","z"]'],
        ],
      });
    },
  );
});
