import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM encryption of small secrets (connection credentials) for storage in the database.
 * Each value gets a fresh 96-bit IV; the auth tag makes any change to the stored text fail
 * decryption instead of yielding other credentials.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `base64Key`: 32 random bytes, base64 (e.g. `openssl rand -base64 32`). */
  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) {
      throw new Error(
        `mlops.datasets.connections.encryptionKey must be 32 bytes in base64 (openssl rand -base64 32); it decodes to ${key.length} bytes`,
      );
    }
    this.key = key;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map(part => (typeof part === 'string' ? part : part.toString('base64')))
      .join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) {
      throw new Error('Stored secret is not in the expected format');
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(data, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        'Stored secret cannot be decrypted: it was changed, or the encryption key is not the one it was stored with',
      );
    }
  }
}
