import { InputError } from '@backstage/errors';
import {
  Dataset,
  DatasetFile,
  DatasetVersion,
} from '@internal/backstage-plugin-datasets-common';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatabaseDatasetStore } from '../database';
import { DatasetUploadMetrics } from '../metrics';
import { PayloadTooLargeError } from '../formats/errors';
import { DEFAULT_IMAGE_LIMITS, ImageLimits } from '../formats/image';
import { formatOf, validateFile } from '../formats/inspect';
import { DEFAULT_ZIP_LIMITS, extractZip, ZipLimits } from '../formats/zip';
import {
  ObjectStore,
  quoteKey,
  validateObjectKey,
  validateObjectPrefix,
} from '../objectStore';
import { contentKey, datasetArea, hashStream } from './manifest';

export type DatasetFilesOptions = {
  datasets: DatabaseDatasetStore;
  objectStore: ObjectStore;
  maxUploadBytes: number;
  zipLimits?: ZipLimits;
  imageLimits?: ImageLimits;
  /** Where uploads are spooled while they are checked; default the OS temp folder. */
  tempDir?: string;
  /** Counts accepted and refused uploads. */
  metrics?: DatasetUploadMetrics;
};

export const MAX_REGISTERED_OBJECTS = 100_000;

type LocalFile = { path: string; file: string };

/**
 * Turns uploads and bucket prefixes into dataset versions. An upload is spooled to a private
 * temporary file while its size is capped and its content checked; only checked content is
 * written to the object store (content-addressed, all or nothing), and the version is committed
 * in one database transaction. On any failure nothing new is left registered or stored.
 */
export class DatasetFiles {
  private readonly zipLimits: ZipLimits;
  private readonly imageLimits: ImageLimits;

  constructor(private readonly options: DatasetFilesOptions) {
    this.zipLimits = options.zipLimits ?? DEFAULT_ZIP_LIMITS;
    this.imageLimits = options.imageLimits ?? DEFAULT_IMAGE_LIMITS;
  }

  private async withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const root = this.options.tempDir ?? tmpdir();
    await mkdir(root, { recursive: true });
    const dir = await mkdtemp(join(root, 'dataset-upload-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Adds (or replaces) the file at `path`; a zip archive adds its files next to `path`. */
  async upload(options: {
    dataset: Dataset;
    path: string;
    body: Readable;
    contentLength?: number;
    createdBy: string;
  }): Promise<DatasetVersion> {
    const { metrics } = this.options;
    try {
      const { version, size } = await this.checkAndCommit(options);
      metrics?.accepted(size);
      return version;
    } catch (error) {
      metrics?.rejected(error);
      throw error;
    }
  }

  private async checkAndCommit(options: {
    dataset: Dataset;
    path: string;
    body: Readable;
    contentLength?: number;
    createdBy: string;
  }): Promise<{ version: DatasetVersion; size: number }> {
    const { dataset, path, body, createdBy } = options;
    validateObjectKey(path);
    const limit = this.options.maxUploadBytes;
    if (options.contentLength !== undefined && options.contentLength > limit) {
      throw new PayloadTooLargeError(
        `'${path}' is ${options.contentLength} bytes, more than the upload limit of ${limit} bytes`,
      );
    }
    return this.withTempDir(async dir => {
      const spooled = join(dir, 'upload');
      const size = await spool(body, spooled, limit, path);
      if (size === 0) {
        throw new InputError(`'${path}' is empty`);
      }
      const kind = await validateFile(
        spooled,
        posix.basename(path),
        size,
        this.imageLimits,
      );
      let files: LocalFile[] = [{ path, file: spooled }];
      if (kind === 'zip') {
        const base = posix.dirname(path);
        const entries = await extractZip(
          spooled,
          path,
          size,
          join(dir, 'entries'),
          this.zipLimits,
        );
        files = [];
        for (const entry of entries) {
          const entryPath = base === '.' ? entry.path : `${base}/${entry.path}`;
          const entryKind = await validateFile(
            entry.file,
            posix.basename(entry.path),
            entry.size,
            this.imageLimits,
          );
          if (entryKind === 'zip') {
            throw new InputError(
              `Zip archive '${path}': entry '${entry.path}' is itself a zip archive; nested archives are not supported`,
            );
          }
          files.push({ path: entryPath, file: entry.file });
        }
      }
      const version = await this.commit(
        dataset,
        files,
        createdBy,
        `upload ${path}`,
      );
      return { version, size };
    });
  }

  /**
   * Stores local files (already checked) and commits them as a new version; objects this call
   * wrote are deleted again if the commit fails.
   */
  async commit(
    dataset: Dataset,
    files: LocalFile[],
    createdBy: string,
    message: string,
  ): Promise<DatasetVersion> {
    const { objectStore, datasets } = this.options;
    const written: string[] = [];
    try {
      const added: DatasetFile[] = [];
      for (const { path, file } of files) {
        validateObjectKey(path);
        const { size, sha256 } = await hashStream(createReadStream(file));
        const key = contentKey(dataset.id, sha256);
        if (!(await objectStore.head(key))) {
          await objectStore.put(key, createReadStream(file));
          written.push(key);
        }
        added.push({ path, key, size, sha256 });
      }
      const paths = new Set(added.map(f => f.path));
      const { version } = await datasets.addVersion(dataset.id, {
        apply: current => [
          ...current.filter(f => !paths.has(f.path)),
          ...added,
        ],
        message,
        createdBy,
        format: all => formatOf(all.map(f => f.path)),
      });
      return version;
    } catch (error) {
      await Promise.all(
        written.map(key => objectStore.delete(key).catch(() => {})),
      );
      throw error;
    }
  }

  /**
   * Makes a version whose files are the objects already under `prefix` in the object store,
   * hashed as they are now. The objects are not copied.
   */
  async registerPrefix(options: {
    dataset: Dataset;
    prefix: string;
    createdBy: string;
  }): Promise<DatasetVersion> {
    const { dataset, prefix, createdBy } = options;
    validateObjectPrefix(prefix);
    if (!prefix || !prefix.endsWith('/')) {
      throw new InputError(
        `Invalid prefix ${quoteKey(
          prefix,
        )}: it must name a folder, ending with '/'`,
      );
    }
    const area = datasetArea(dataset.id);
    if (!prefix.startsWith(area)) {
      throw new InputError(
        `Invalid prefix ${quoteKey(
          prefix,
        )}: only objects in this dataset's own folder '${area}' can be registered; add files from elsewhere by upload or by import from a connection`,
      );
    }
    const keys = await this.options.objectStore.list(prefix);
    if (keys.length === 0) {
      throw new InputError(`There is no object under '${prefix}'`);
    }
    if (keys.length > MAX_REGISTERED_OBJECTS) {
      throw new InputError(
        `'${prefix}' holds ${keys.length} objects, more than the limit of ${MAX_REGISTERED_OBJECTS}`,
      );
    }
    const files: DatasetFile[] = [];
    for (const key of keys) {
      const { size, sha256 } = await hashStream(
        await this.options.objectStore.get(key),
      );
      files.push({ path: key.slice(prefix.length), key, size, sha256 });
    }
    const { version } = await this.options.datasets.addVersion(dataset.id, {
      apply: () => files,
      message: `register prefix ${prefix}`,
      createdBy,
      format: all => formatOf(all.map(f => f.path)),
    });
    return version;
  }

  /**
   * Copies the objects under `prefix` of another store (a user's S3 connection) into the
   * portal's store, checking each like an upload, and adds them in a new version. The copy keeps
   * the version immutable whatever later happens in the source bucket.
   */
  async importFrom(options: {
    dataset: Dataset;
    source: ObjectStore;
    sourceName: string;
    prefix: string;
    createdBy: string;
  }): Promise<DatasetVersion> {
    const { dataset, source, prefix } = options;
    validateObjectPrefix(prefix);
    if (prefix && !prefix.endsWith('/')) {
      throw new InputError(
        `Invalid prefix ${quoteKey(
          prefix,
        )}: it must name a folder, ending with '/'`,
      );
    }
    const keys = await source.list(prefix);
    if (keys.length === 0) {
      throw new InputError(
        `There is no object under '${prefix}' in ${options.sourceName}`,
      );
    }
    if (keys.length > MAX_REGISTERED_OBJECTS) {
      throw new InputError(
        `'${prefix}' holds ${keys.length} objects, more than the limit of ${MAX_REGISTERED_OBJECTS}`,
      );
    }
    return this.withTempDir(async dir => {
      const files: LocalFile[] = [];
      for (const [index, key] of keys.entries()) {
        const file = join(dir, String(index));
        const size = await spool(
          await source.get(key),
          file,
          this.options.maxUploadBytes,
          key,
        );
        const name = posix.basename(key);
        if (size === 0) throw new InputError(`'${key}' is empty`);
        if (
          (await validateFile(file, name, size, this.imageLimits)) === 'zip'
        ) {
          throw new InputError(
            `'${key}' is a zip archive; archives are unpacked only when uploaded`,
          );
        }
        files.push({ path: key.slice(prefix.length), file });
      }
      return this.commit(
        dataset,
        files,
        options.createdBy,
        `import ${options.sourceName}/${prefix}`,
      );
    });
  }
}

/** Writes a stream to a file, failing with 413 as soon as it passes `limit` bytes. */
async function spool(
  body: Readable,
  file: string,
  limit: number,
  name: string,
): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) {
        callback(
          new PayloadTooLargeError(
            `'${name}' is larger than the upload limit of ${limit} bytes`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
  await mkdir(dirname(file), { recursive: true });
  // The body is piped rather than handed to pipeline(), which would destroy it on failure: for
  // an HTTP request that closes the socket before the 413 answer can be sent.
  const source = new PassThrough();
  const forwardError = (error: Error) => source.destroy(error);
  body.once('error', forwardError);
  body.pipe(source);
  try {
    await pipeline(source, counter, createWriteStream(file, { flags: 'wx' }));
  } finally {
    body.unpipe(source);
    body.off('error', forwardError);
  }
  return size;
}
