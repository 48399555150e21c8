import { Readable } from 'node:stream';

/**
 * Flat key/value storage of dataset files. Keys are relative, '/'-separated paths (see
 * {@link validateObjectKey}); a write is all or nothing.
 *
 * @public
 */
export interface ObjectStore {
  /** A folder or a bucket URL, for messages; never contains credentials. */
  readonly location: string;
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Throws NotFoundError when there is no object under `key`. */
  get(key: string): Promise<Readable>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Room left for new objects, where the store can tell. */
  freeBytes(): Promise<number | undefined>;
}
