import { ResponseError } from '@backstage/errors';

/**
 * What the backend said, as it said it; ResponseError's own message only names the status.
 *
 * @public
 */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message || error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
