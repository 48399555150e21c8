import { TestDatabases } from '@backstage/backend-test-utils';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DatabaseDatasetStore } from '../database';
import { LocalDirectoryObjectStore } from '../objectStore';
import { DatasetFiles } from './DatasetFiles';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dataset-files-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('DatasetFiles', () => {
  it('stops a streamed upload of unknown length as soon as it passes the limit', async () => {
    const knex = await databases.init('SQLITE_3');
    const datasets = await migratedStore(knex);
    const objectStore = new LocalDirectoryObjectStore(join(tmp, 'store'));
    const files = new DatasetFiles({
      datasets,
      objectStore,
      maxUploadBytes: 1000,
      tempDir: join(tmp, 'uploads'),
    });
    const dataset = await datasets.create({
      name: 'd',
      owner: 'group:default/a',
    });
    let chunksRead = 0;
    const endless = new Readable({
      read() {
        chunksRead++;
        this.push(chunksRead === 1 ? 'a,b\n' : '1,2\n'.repeat(100));
      },
    });

    await expect(
      files.upload({
        dataset,
        path: 'big.csv',
        body: endless,
        createdBy: 'user:default/x',
      }),
    ).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      message: "'big.csv' is larger than the upload limit of 1000 bytes",
    });
    // The source is no longer read: what it had buffered ahead is all it gave.
    await new Promise(resolve => setTimeout(resolve, 50));
    const readWhenRefused = chunksRead;
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(chunksRead).toBe(readWhenRefused);
    expect(await datasets.listVersions(dataset.id)).toEqual([]);
    expect(await objectStore.list()).toEqual([]);
    const uploads = join(tmp, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
  });
});

async function migratedStore(knex: Awaited<ReturnType<typeof databases.init>>) {
  return DatabaseDatasetStore.create({ getClient: async () => knex });
}
