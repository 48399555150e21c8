import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-mlops-timestamp';
export const SIGNATURE_HEADER = 'x-mlops-signature';

/** `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the webhook's secret. */
export function webhookSignature(
  secret: string,
  timestamp: string,
  body: string,
): string {
  const hmac = createHmac('sha256', secret)
    .update(`${timestamp}.${body}`)
    .digest('hex');
  return `sha256=${hmac}`;
}

/** The headers of a signed delivery of `body` at `now`. */
export function signedHeaders(
  secret: string,
  body: string,
  now = new Date(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
  };
}

/**
 * Whether a delivery is genuine and fresh: its signature matches, and its timestamp is within
 * `toleranceSeconds` of `now` (a replayed old delivery fails). What a receiver checks.
 */
export function verifySignedDelivery(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: Date;
  toleranceSeconds?: number;
}): boolean {
  const { secret, body, timestamp, signature } = options;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const age = (options.now ?? new Date()).getTime() / 1000 - Number(timestamp);
  if (Math.abs(age) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
