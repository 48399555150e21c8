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
};
