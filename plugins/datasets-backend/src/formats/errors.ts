import { CustomErrorBase } from '@backstage/errors';

/** 413: the upload is larger than the configured limit. */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
}

/** 415: the file's type is none the portal can read. */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
}

/** HTTP status of the errors above, which Backstage's error handler does not know. */
export const EXTRA_ERROR_STATUS: Record<string, number> = {
  PayloadTooLargeError: 413,
  UnsupportedMediaTypeError: 415,
  TooManyRequestsError: 429,
};

/**
 * Whether `error` is one of Node's system errors (ENOENT, ENOSPC, ENAMETOOLONG, ...), whose
 * message names a path on the server.
 */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | undefined;
  return typeof e?.syscall === 'string' && typeof e?.code === 'string';
}

/**
 * Checks that a file (or an array in one) holds exactly the data its header declares: `declared`
 * names it, e.g. "10x28x28 uint8"; `container` is what holds it, e.g. "file".
 */
export function checkDataLength(
  problem: (message: string) => Error,
  declared: string,
  dataBytes: number,
  actual: number,
  container: string,
) {
  if (actual < dataBytes) {
    throw problem(
      `truncated: the header declares ${declared} (${dataBytes} data bytes) but the ${container} has ${actual}`,
    );
  }
  if (actual > dataBytes) {
    throw problem(
      `${
        actual - dataBytes
      } bytes after the ${declared} data the header declares`,
    );
  }
}
