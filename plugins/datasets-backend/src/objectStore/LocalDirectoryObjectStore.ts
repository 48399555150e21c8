import { InputError, NotFoundError } from '@backstage/errors';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
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
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { exactLength } from './exactLength';
import { ObjectStore, UploadedPart } from './ObjectStore';
import { validateObjectKey, validateObjectPrefix } from './keys';

/** Partial writes live here until they are renamed into place; no key can name it. */
const STAGING_DIR = '.staging';
/** Parts of multipart uploads, one folder per upload; no key can name it either. */
const MULTIPART_DIR = '.multipart';
const RESERVED = new Set([STAGING_DIR, MULTIPART_DIR]);
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

function isMissing(error: unknown) {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/**
 * Makes download URLs of a local store's objects (the datasets backend's signed URLs).
 *
 * @public
 */
export interface DownloadUrlSigner {
  url(key: string, expiresInSeconds: number): Promise<string>;
}

/**
 * Object store in a folder of the backend's machine: the embedded default. The folder is created
 * on the first write.
 *
 * @public
 */
export class LocalDirectoryObjectStore implements ObjectStore {
  readonly location: string;
  private signer?: DownloadUrlSigner;

  /** `root` may be relative to the backend's working directory. */
  constructor(root: string) {
    this.location = resolve(root);
  }

  private pathOf(key: string) {
    validateObjectKey(key);
    const first = key.split('/')[0];
    if (RESERVED.has(first)) {
      throw new InputError(
        `Invalid object key '${key}': '${first}' is reserved`,
      );
    }
    return join(this.location, ...key.split('/'));
  }

  /** Writes `source` through `transforms` to a staging file, then renames it to `target`. */
  private async writeAtomically(
    target: string,
    source: Readable,
    ...transforms: Transform[]
  ): Promise<void> {
    const staging = join(this.location, STAGING_DIR);
    await mkdir(staging, { recursive: true });
    const temp = join(staging, randomUUID());
    try {
      await pipeline([
        source,
        ...transforms,
        createWriteStream(temp, { flags: 'wx' }),
      ]);
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    await this.writeAtomically(
      this.pathOf(key),
      Buffer.isBuffer(body) ? Readable.from([body]) : body,
    );
  }

  private uploadDir(uploadId: string) {
    if (!UPLOAD_ID.test(uploadId)) {
      throw new NotFoundError(`No multipart upload '${uploadId}'`);
    }
    return join(this.location, MULTIPART_DIR, uploadId);
  }

  async startMultipartUpload(key: string): Promise<string> {
    this.pathOf(key);
    const uploadId = randomUUID();
    await mkdir(this.uploadDir(uploadId), { recursive: true });
    return uploadId;
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number,
  ): Promise<UploadedPart> {
    this.pathOf(key);
    const dir = this.uploadDir(uploadId);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new NotFoundError(`No multipart upload '${uploadId}'`);
    }
    const md5 = createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    await this.writeAtomically(
      join(dir, String(partNumber)),
      body,
      exactLength(size, `Part ${partNumber}`),
      hashing,
    );
    return { partNumber, etag: md5.digest('hex') };
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<void> {
    const target = this.pathOf(key);
    const dir = this.uploadDir(uploadId);
    const numbers = parts.map(p => p.partNumber).sort((a, b) => a - b);
    const files = numbers.map(n => join(dir, String(n)));
    for (const [index, file] of files.entries()) {
      if (!(await stat(file).catch(() => undefined))?.isFile()) {
        throw new InputError(
          `Part ${numbers[index]} of upload '${uploadId}' was never stored`,
        );
      }
    }
    const concatenated = Readable.from(
      (async function* readParts() {
        for (const file of files) yield* createReadStream(file);
      })(),
    );
    await this.writeAtomically(target, concatenated);
    await rm(dir, { recursive: true, force: true });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    this.pathOf(key);
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
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

  /**
   * Lets {@link LocalDirectoryObjectStore.signedUrl} make URLs: the datasets backend's, signed
   * (src/downloads).
   */
  signDownloadsWith(signer: DownloadUrlSigner): void {
    this.signer = signer;
  }

  /** A folder has no URLs of its own: users' downloads stream through the backend. */
  async downloadUrl(key: string): Promise<undefined> {
    this.pathOf(key);
    return undefined;
  }

  /**
   * A URL from which whoever holds it downloads the object for `expiresInSeconds`, served by
   * the datasets backend: how Ray jobs, which cannot read this folder, get their files.
   * Undefined without a signer.
   */
  async signedUrl(
    key: string,
    expiresInSeconds: number,
  ): Promise<string | undefined> {
    this.pathOf(key);
    return this.signer?.url(key, expiresInSeconds);
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
      .filter(key => key.startsWith(prefix) && !RESERVED.has(key.split('/')[0]))
      .sort();
  }

  async freeBytes(): Promise<number> {
    const stats = await statfs(this.location);
    return stats.bavail * stats.bsize;
  }
}
