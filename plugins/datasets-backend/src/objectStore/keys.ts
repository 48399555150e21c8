import { InputError } from '@backstage/errors';
import { unsafeCharacterIn } from '@internal/backstage-plugin-mlops-common';

/** Longest key or file path, in UTF-8 bytes (S3's limit for a key). */
export const MAX_KEY_BYTES = 1024;
/** Longest folder or file name inside a key, in UTF-8 bytes (most file systems' limit). */
export const MAX_KEY_SEGMENT_BYTES = 255;
/** How much of a rejected key a message repeats. */
const QUOTED_KEY_CHARS = 100;

/** `key` for an error message: quoted, and cut short when it is long. */
export function quoteKey(key: string): string {
  return key.length > QUOTED_KEY_CHARS
    ? `'${key.slice(0, QUOTED_KEY_CHARS)}…' (${key.length} characters)`
    : `'${key}'`;
}

function keyProblem(key: string, allowTrailingSlash: boolean) {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    return `it is ${bytes} bytes long, more than the limit of ${MAX_KEY_BYTES}`;
  }
  if (key.startsWith('/')) return 'absolute paths are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed';
  if (key.includes('\0')) return 'NUL characters are not allowed';
  const unsafe = unsafeCharacterIn(key);
  if (unsafe) return `it contains a ${unsafe}`;
  const segments = key.split('/');
  if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
  if (segments.some(s => s === '.' || s === '..')) {
    return "'.' and '..' segments are not allowed";
  }
  if (segments.some(s => s === '')) return 'empty segments are not allowed';
  const long = segments.find(s => Buffer.byteLength(s) > MAX_KEY_SEGMENT_BYTES);
  if (long !== undefined) {
    return `the name ${quoteKey(long)} is ${Buffer.byteLength(
      long,
    )} bytes long, more than the limit of ${MAX_KEY_SEGMENT_BYTES} for one folder or file name`;
  }
  return undefined;
}

/**
 * Rejects keys that could escape the store or name something else than a file: absolute paths,
 * backslashes, '.' and '..' segments, empty segments, control characters, and keys or names
 * longer than {@link MAX_KEY_BYTES} or {@link MAX_KEY_SEGMENT_BYTES}.
 *
 * @public
 */
export function validateObjectKey(key: string): void {
  const problem = keyProblem(key, false);
  if (problem) {
    throw new InputError(`Invalid object key ${quoteKey(key)}: ${problem}`);
  }
}

/** Like {@link validateObjectKey}, but the empty prefix and a trailing '/' are allowed. */
export function validateObjectPrefix(prefix: string): void {
  const problem = prefix === '' ? undefined : keyProblem(prefix, true);
  if (problem) {
    throw new InputError(
      `Invalid object key prefix ${quoteKey(prefix)}: ${problem}`,
    );
  }
}
