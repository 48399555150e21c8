import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DownloadUrlSigner } from '../objectStore/LocalDirectoryObjectStore';

/** The longest a signed URL may live: a job queued for a working day still finds its files. */
export const MAX_DOWNLOAD_URL_SECONDS = 24 * 60 * 60;
const MIN_KEY_LENGTH = 32;
const EXPIRES = /^\d{1,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Short-lived download URLs of the local object store's objects, served by the datasets backend
 * (`GET /downloads/<key>?expires=&signature=`, see downloadRouter): the HMAC-SHA256 of the key
 * and the expiry is the only credential, so that a Ray job, which runs as an account that cannot
 * read the store's folder, is handed exactly the files of its dataset version.
 */
export class DownloadSigner implements DownloadUrlSigner {
  private readonly key: Buffer;

  /**
   * `secret`: mlops.datasets.downloads.signingKey (every backend instance needs the same one
   * for URLs to outlive a restart); without it a random key for this process.
   */
  constructor(
    private readonly baseUrl: () => Promise<string>,
    secret?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (secret !== undefined && secret.length < MIN_KEY_LENGTH) {
      throw new Error(
        `mlops.datasets.downloads.signingKey must be at least ${MIN_KEY_LENGTH} characters`,
      );
    }
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private sign(objectKey: string, expires: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`v1\n${objectKey}\n${expires}`)
      .digest();
  }

  async url(objectKey: string, expiresInSeconds: number): Promise<string> {
    const seconds = Math.min(
      Math.max(1, Math.floor(expiresInSeconds)),
      MAX_DOWNLOAD_URL_SECONDS,
    );
    const expires = String(Math.floor(this.now() / 1000) + seconds);
    const signature = this.sign(objectKey, expires).toString('base64url');
    const path = objectKey.split('/').map(encodeURIComponent).join('/');
    const query = new URLSearchParams({ expires, signature });
    return `${await this.baseUrl()}/downloads/${path}?${query}`;
  }

  /** Whether `signature` is this signer's for `objectKey` until `expires`, and not expired. */
  verify(objectKey: string, expires: unknown, signature: unknown): boolean {
    if (
      typeof expires !== 'string' ||
      typeof signature !== 'string' ||
      !EXPIRES.test(expires) ||
      !SIGNATURE.test(signature)
    ) {
      return false;
    }
    const expected = this.sign(objectKey, expires);
    const given = Buffer.from(signature, 'base64url');
    return (
      given.length === expected.length &&
      timingSafeEqual(given, expected) &&
      Number(expires) * 1000 >= this.now()
    );
  }
}
