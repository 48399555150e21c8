import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  removeTargetsFile,
  targetsFilePath,
  writeTargetsFile,
} from './prometheusTargets';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-targets-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Prometheus file-based service discovery files', () => {
  it('writes the file whole, readable by others whatever the umask, and replaces it', async () => {
    const path = targetsFilePath(join(dir, 'targets'), 'a1b2c3');
    expect(path).toBe(join(dir, 'targets', 'mlops-rc-a1b2c3.json'));
    const umask = process.umask(0o077);
    try {
      await writeTargetsFile(path, [
        { targets: ['127.0.0.1:4100'], labels: { ray_cluster: 'team-a-rc' } },
      ]);
    } finally {
      process.umask(umask);
    }
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([
      { targets: ['127.0.0.1:4100'], labels: { ray_cluster: 'team-a-rc' } },
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o644);

    const before = await stat(path);
    await writeTargetsFile(path, [
      { targets: ['127.0.0.1:4200'], labels: { ray_cluster: 'team-a-rc' } },
    ]);
    // Renamed into place: a new file, never the old one rewritten in place.
    expect((await stat(path)).ino).not.toBe(before.ino);
    expect(JSON.parse(await readFile(path, 'utf8'))[0].targets).toEqual([
      '127.0.0.1:4200',
    ]);
    expect(await readdir(join(dir, 'targets'))).toEqual([
      'mlops-rc-a1b2c3.json',
    ]);
  });

  it('leaves no temporary file behind when the write fails', async () => {
    const path = join(dir, 'mlops-rc-x.json');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      writeTargetsFile(path, [
        { targets: [], labels: cyclic as unknown as Record<string, string> },
      ]),
    ).rejects.toThrow(/circular/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes the file, and does not mind when it is gone already', async () => {
    const path = join(dir, 'mlops-rc-y.json');
    await writeTargetsFile(path, []);
    await removeTargetsFile(path);
    await removeTargetsFile(path);
    expect(await readdir(dir)).toEqual([]);
  });
});
