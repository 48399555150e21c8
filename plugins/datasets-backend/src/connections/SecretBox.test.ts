import { randomBytes } from 'node:crypto';
import { SecretBox } from './SecretBox';

const key = randomBytes(32).toString('base64');

describe('SecretBox', () => {
  it('encrypts with a fresh IV each time and decrypts back', () => {
    const box = new SecretBox(key);
    const a = box.encrypt('wJalrXUtnFEMI/K7MDENG');
    const b = box.encrypt('wJalrXUtnFEMI/K7MDENG');

    expect(a).not.toBe(b);
    expect(a).not.toContain('wJalrXUtnFEMI');
    expect(box.decrypt(a)).toBe('wJalrXUtnFEMI/K7MDENG');
    expect(box.decrypt(b)).toBe('wJalrXUtnFEMI/K7MDENG');
  });

  it('refuses changed ciphertext and another key', () => {
    const box = new SecretBox(key);
    const stored = box.encrypt('secret');
    const [version, iv, tag, data] = stored.split(':');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    const tampered = [version, iv, tag, flipped.toString('base64')].join(':');

    expect(() => box.decrypt(tampered)).toThrow(
      'Stored secret cannot be decrypted: it was changed, or the encryption key is not the one it was stored with',
    );
    expect(() =>
      new SecretBox(randomBytes(32).toString('base64')).decrypt(stored),
    ).toThrow('Stored secret cannot be decrypted');
    expect(() => box.decrypt('plain text')).toThrow(
      'Stored secret is not in the expected format',
    );
  });

  it('requires a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(
      'mlops.datasets.connections.encryptionKey must be 32 bytes in base64 (openssl rand -base64 32); it decodes to 16 bytes',
    );
  });
});
