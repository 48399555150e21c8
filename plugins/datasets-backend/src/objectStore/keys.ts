import { InputError } from '@backstage/errors';

function keyProblem(key: string, allowTrailingSlash: boolean) {
  if (key.startsWith('/')) return 'absolute paths are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed';
  if (key.includes('\0')) return 'NUL characters are not allowed';
  const segments = key.split('/');
  if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
  if (segments.some(s => s === '.' || s === '..')) {
    return "'.' and '..' segments are not allowed";
  }
  if (segments.some(s => s === '')) return 'empty segments are not allowed';
  return undefined;
}

/**
 * Rejects keys that could escape the store or name something else than a file: absolute paths,
 * backslashes, '.' and '..' segments, empty segments.
 *
 * @public
 */
export function validateObjectKey(key: string): void {
  const problem = keyProblem(key, false);
  if (problem) {
    throw new InputError(`Invalid object key '${key}': ${problem}`);
  }
}

/** Like {@link validateObjectKey}, but the empty prefix and a trailing '/' are allowed. */
export function validateObjectPrefix(prefix: string): void {
  const problem = prefix === '' ? undefined : keyProblem(prefix, true);
  if (problem) {
    throw new InputError(`Invalid object key prefix '${prefix}': ${problem}`);
  }
}
