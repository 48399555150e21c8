import { createHash, randomBytes } from 'node:crypto';

/** A new API key: `mlops_` and 32 random bytes in base64url. */
export function generateApiKey(): string {
  return `mlops_${randomBytes(32).toString('base64url')}`;
}

/** The only form of a key the portal stores and Ray Serve receives: sha256, hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
