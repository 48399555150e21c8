import { CustomErrorBase } from '@backstage/errors';

/**
 * 429: the caller's team is at a configured limit (e.g. of queued and running jobs). Backstage's
 * error handler answers the `statusCode` of an error, so no middleware is needed.
 *
 * @public
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;
}
