import { InputError } from '@backstage/errors';

/**
 * Reads the `limit` query parameter of a list route: an integer from 1 to 100, 20 when absent.
 *
 * @public
 */
export function parseLimit(value: unknown): number {
  if (value === undefined) {
    return 20;
  }
  const limit = Number(value);
  if (
    typeof value !== 'string' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > 100
  ) {
    throw new InputError(
      `limit must be an integer from 1 to 100, not ${JSON.stringify(value)}`,
    );
  }
  return limit;
}
