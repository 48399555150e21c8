import { S3ObjectStore } from '../objectStore';
import { checkEndpoint, guardedLookup, nonPublicKind } from './endpointPolicy';

describe('endpoint policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['8.8.8.8', undefined],
    ['172.32.0.1', undefined],
    ['2606:4700::1111', undefined],
  ])('classifies %s as %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it('refuses endpoints on loopback, private or link-local addresses unless allowed', async () => {
    await expect(checkEndpoint('http://127.0.0.1:9000', false)).rejects.toThrow(
      "Refused: the S3 endpoint host '127.0.0.1' resolves to the loopback address 127.0.0.1, which connections may not use (mlops.datasets.connections.allowPrivateEndpoints)",
    );
    await expect(checkEndpoint('http://localhost:9000', false)).rejects.toThrow(
      "Refused: the S3 endpoint host 'localhost' resolves to the loopback address",
    );
    await expect(
      checkEndpoint('http://169.254.169.254/latest', false),
    ).rejects.toThrow('link-local address 169.254.169.254');
    await expect(checkEndpoint('http://[::1]:9000', false)).rejects.toThrow(
      'loopback address ::1',
    );
    expect((await checkEndpoint('http://127.0.0.1:9000', true)).port).toBe(
      '9000',
    );
  });

  it('refuses what is not an http(s) URL without credentials', async () => {
    await expect(checkEndpoint('minio:9000', true)).rejects.toThrow(
      'endpoint must be an http or https URL, not minio:',
    );
    await expect(checkEndpoint('not a url', true)).rejects.toThrow(
      "endpoint 'not a url' is not a URL",
    );
    await expect(checkEndpoint('http://a:b@127.0.0.1', true)).rejects.toThrow(
      'endpoint must not contain credentials',
    );
    await expect(
      checkEndpoint('http://no-such-host.invalid', true),
    ).rejects.toThrow(
      "Cannot resolve the S3 endpoint host 'no-such-host.invalid'",
    );
  });

  it('refuses private addresses again when the store connects', async () => {
    const store = new S3ObjectStore({
      endpoint: 'http://localhost:1',
      bucket: 'b',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      lookup: guardedLookup(),
    });
    await expect(store.list()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /^Refused: the S3 endpoint host 'localhost' resolves to the loopback address/,
      ),
    });
  });
});
