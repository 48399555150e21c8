import { InputError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  statfs,
  unlink,
} from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectStore } from './ObjectStore';
import { validateObjectKey, validateObjectPrefix } from './keys';

/** Partial writes live here until they are renamed into place; no key can name it. */
const STAGING_DIR = '.staging';

function isMissing(error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * Object store in a folder of the backend's machine: the embedded default. The folder is created
 * on the first write.
 *
 * @public
 */
export class LocalDirectoryObjectStore implements ObjectStore {
  readonly location: string;

  /** `root` may be relative to the backend's working directory. */
  constructor(root: string) {
    this.location = resolve(root);
  }

  private pathOf(key: string) {
    validateObjectKey(key);
    if (key.split('/')[0] === STAGING_DIR) {
      throw new InputError(
        `Invalid object key '${key}': '${STAGING_DIR}' is reserved`,
      );
    }
    return join(this.location, ...key.split('/'));
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const target = this.pathOf(key);
    const staging = join(this.location, STAGING_DIR);
    await mkdir(staging, { recursive: true });
    const temp = join(staging, randomUUID());
    try {
      await pipeline(
        Buffer.isBuffer(body) ? Readable.from([body]) : body,
        createWriteStream(temp, { flags: 'wx' }),
      );
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    const handle = await open(path, 'r').catch(error => {
      throw isMissing(error) ? new NotFoundError(`No object '${key}'`) : error;
    });
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new NotFoundError(`No object '${key}'`);
    }
    return handle.createReadStream();
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const stats = await stat(this.pathOf(key));
      return stats.isFile() ? { size: stats.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** A folder has no URLs: callers stream the object through the backend instead. */
  async downloadUrl(key: string): Promise<undefined> {
    this.pathOf(key);
    return undefined;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch(error => {
      if (!isMissing(error)) throw error;
    });
  }

  async list(prefix: string = ''): Promise<string[]> {
    validateObjectPrefix(prefix);
    const folder = join(
      this.location,
      prefix.slice(0, prefix.lastIndexOf('/') + 1),
    );
    let entries;
    try {
      entries = await readdir(folder, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries
      .filter(entry => entry.isFile())
      .map(entry =>
        relative(this.location, join(entry.parentPath, entry.name))
          .split(sep)
          .join('/'),
      )
      .filter(
        key => key.startsWith(prefix) && !key.startsWith(`${STAGING_DIR}/`),
      )
      .sort();
  }

  async freeBytes(): Promise<number> {
    const stats = await statfs(this.location);
    return stats.bavail * stats.bsize;
  }
}
