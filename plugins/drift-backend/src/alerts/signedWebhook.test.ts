import {
  SIGNATURE_HEADER,
  signedHeaders,
  TIMESTAMP_HEADER,
  verifySignedDelivery,
} from './signedWebhook';

describe('signed webhook deliveries', () => {
  const body = JSON.stringify({ event: 'drift.detected', monitor: 'm1' });
  const sentAt = new Date('2026-12-04T10:00:00Z');
  const headers = signedHeaders('s3cret', body, sentAt);
  const delivery = {
    secret: 's3cret',
    body,
    timestamp: headers[TIMESTAMP_HEADER],
    signature: headers[SIGNATURE_HEADER],
    now: new Date('2026-12-04T10:01:00Z'),
  };

  it('signs the timestamp and the body with HMAC-SHA256', () => {
    expect(headers[TIMESTAMP_HEADER]).toBe(String(sentAt.getTime() / 1000));
    expect(headers[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignedDelivery(delivery)).toBe(true);
  });

  it('refuses a changed body, another secret, a forged signature or a replay', () => {
    expect(verifySignedDelivery({ ...delivery, body: `${body} ` })).toBe(false);
    expect(verifySignedDelivery({ ...delivery, secret: 'other' })).toBe(false);
    expect(
      verifySignedDelivery({
        ...delivery,
        signature: `sha256=${'0'.repeat(64)}`,
      }),
    ).toBe(false);
    expect(verifySignedDelivery({ ...delivery, signature: undefined })).toBe(
      false,
    );
    expect(
      verifySignedDelivery({
        ...delivery,
        now: new Date('2026-12-04T10:06:00Z'),
      }),
    ).toBe(false);
  });
});
