import { Readable } from 'node:stream';

/**
 * A stored part of a multipart upload, as {@link ObjectStore.completeMultipartUpload} needs it.
 *
 * @public
 */
export type UploadedPart = { partNumber: number; etag: string };

/**
 * Flat key/value storage of dataset files. Keys are relative, '/'-separated paths (see
 * {@link validateObjectKey}); a write is all or nothing: a failed write leaves no object behind
 * and does not replace an existing one.
 *
 * @public
 */
export interface ObjectStore {
  /** A folder or a bucket URL, for messages; never contains credentials. */
  readonly location: string;
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Throws NotFoundError when there is no object under `key`. */
  get(key: string): Promise<Readable>;
  /** The object's size, or undefined when there is no object under `key`. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Room left for new objects, where the store can tell. */
  freeBytes(): Promise<number | undefined>;
  /**
   * A URL from which anyone holding it can download the object for `expiresInSeconds`, where
   * the store can give one (S3: a presigned GET URL); undefined otherwise.
   */
  downloadUrl(
    key: string,
    expiresInSeconds: number,
  ): Promise<string | undefined>;
  /**
   * Starts a multipart upload to `key` and returns its upload id. Parts stay invisible (no key,
   * not listed) until the upload is completed.
   */
  startMultipartUpload(key: string): Promise<string>;
  /**
   * Stores part `partNumber` (1 to 10,000) of exactly `size` bytes; a body of another length
   * fails and stores nothing. Uploading a number again replaces that part.
   */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number,
  ): Promise<UploadedPart>;
  /** Joins the parts in order into the object `key`, all or nothing, and forgets the upload. */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<void>;
  /** Deletes the upload's parts; aborting an unknown upload is not an error. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
}
