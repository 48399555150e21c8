import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import {
  ALLOWED_ENDPOINTS_KEY,
  EndpointGuard,
  nonPublicKind,
} from './endpointGuard';
import {
  RecordingServer,
  startRecordingServer,
} from './endpointGuardTestServer';

describe('nonPublicKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', undefined],
    ['172.32.0.1', undefined],
    ['::ffff:8.8.8.8', undefined],
    ['64:ff9b::808:808', undefined],
    ['2606:4700::1111', undefined],
  ])('classifies %s as %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });
});

describe('EndpointGuard.check', () => {
  const guard = new EndpointGuard();

  // Each form is what a user may type; WHATWG URL parsing (which the HTTP clients use) turns
  // them into the address the connection would go to.
  it.each([
    ['http://127.0.0.1:8265', '127.0.0.1', 'loopback'],
    ['http://2130706433:8265', '127.0.0.1', 'loopback'],
    ['http://0x7f000001:8265', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1:8265', '127.0.0.1', 'loopback'],
    ['http://127.1:8265', '127.0.0.1', 'loopback'],
    ['http://[::ffff:127.0.0.1]:8265', '::ffff:7f00:1', 'loopback'],
    ['http://[::1]:8265', '::1', 'loopback'],
    ['http://0.0.0.0:8265', '0.0.0.0', 'unspecified'],
    ['http://0:8265', '0.0.0.0', 'unspecified'],
    [
      'http://169.254.169.254/latest/meta-data',
      '169.254.169.254',
      'link-local',
    ],
    ['http://[fd00::1]/', 'fd00::1', 'private'],
    ['https://10.0.0.7/', '10.0.0.7', 'private'],
  ])('refuses %s (%s, %s)', async (url, address, kind) => {
    await expect(guard.check(url, 'Ray dashboard')).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        new RegExp(
          `^Refused: the Ray dashboard host '[^']+' resolves to the ${kind} address ${address.replace(
            /\./g,
            '\\.',
          )}, which the portal does not connect to unless an administrator allows it in mlops\\.network\\.allowedEndpoints$`,
        ),
      ),
    });
  });

  it('resolves host names and checks every address they resolve to', async () => {
    await expect(
      guard.check('http://localhost:8265', 'Ray dashboard'),
    ).rejects.toThrow(
      /^Refused: the Ray dashboard host 'localhost' resolves to the loopback address (127\.0\.0\.1|::1),/,
    );
  });

  it('accepts a public address and returns the URL as the client will read it', async () => {
    const url = await guard.check('http://134744072:80/x', 'S3 endpoint');
    expect(url.hostname).toBe('8.8.8.8');
  });

  it('allows addresses and ranges an administrator lists, and only those', async () => {
    const allowing = EndpointGuard.fromConfig(
      mockServices.rootConfig({
        data: {
          mlops: {
            network: { allowedEndpoints: ['127.0.0.1/32', '10.0.0.0/8'] },
          },
        },
      }),
    );
    for (const url of [
      'http://127.0.0.1:1',
      'http://2130706433:1',
      'http://[::ffff:127.0.0.1]:1',
      'http://10.200.0.1',
    ]) {
      await expect(
        allowing.check(url, 'Ray dashboard'),
      ).resolves.toBeInstanceOf(URL);
    }
    await expect(
      allowing.check('http://127.0.0.2:1', 'Ray dashboard'),
    ).rejects.toThrow('loopback address 127.0.0.2');
    await expect(
      allowing.check('http://169.254.169.254', 'Ray dashboard'),
    ).rejects.toThrow('link-local address 169.254.169.254');
    await expect(
      allowing.check('http://[::1]:1', 'Ray dashboard'),
    ).rejects.toThrow('loopback address ::1');
  });

  it('refuses an allow-list entry that is not an address or range, naming it', () => {
    for (const entry of ['minio.internal', '10.0.0.0/33', '10.0.0.0/8/1']) {
      expect(() => new EndpointGuard({ allowed: [entry] })).toThrow(
        `${ALLOWED_ENDPOINTS_KEY}: '${entry}' is not an IP address or CIDR range`,
      );
    }
  });

  it('allowAny lets every address through but still checks the URL', async () => {
    const any = new EndpointGuard({ allowAny: true });
    expect((await any.check('http://127.0.0.1:9000', 'S3 endpoint')).port).toBe(
      '9000',
    );
    await expect(
      any.check('http://a:b@127.0.0.1', 'S3 endpoint'),
    ).rejects.toThrow('S3 endpoint URL must not contain credentials');
  });

  it('refuses what is not an http(s) URL, naming the problem', async () => {
    await expect(guard.check('minio:9000', 'S3 endpoint')).rejects.toThrow(
      'S3 endpoint must be an http or https URL, not minio:',
    );
    await expect(
      guard.check('file:///etc/passwd', 'S3 endpoint'),
    ).rejects.toThrow('S3 endpoint must be an http or https URL, not file:');
    await expect(guard.check('not a url', 'S3 endpoint')).rejects.toThrow(
      "S3 endpoint 'not a url' is not a URL",
    );
    await expect(
      guard.check('http://no-such-host.invalid', 'S3 endpoint'),
    ).rejects.toThrow(
      "Cannot resolve the S3 endpoint host 'no-such-host.invalid': ENOTFOUND",
    );
  });
});

describe('EndpointGuard.lookup', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(() => server.close());

  const get = (lookup: ReturnType<EndpointGuard['lookup']>) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(`http://localhost:${server.port}/`, { lookup, family: 4 }, res => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on('error', reject);
    });

  it('refuses the connection when the host resolves to a refused address', async () => {
    await expect(
      get(new EndpointGuard().lookup('S3 endpoint')),
    ).rejects.toMatchObject({
      code: 'EREFUSEDADDRESS',
      message: expect.stringMatching(
        /^Refused: the S3 endpoint host 'localhost' resolves to the loopback address 127\.0\.0\.1/,
      ),
    });
    expect(server.requests).toEqual([]);
  });

  it('connects when the address is allow-listed', async () => {
    const guard = new EndpointGuard({ allowed: ['127.0.0.0/8'] });
    await expect(get(guard.lookup('S3 endpoint'))).resolves.toBe(200);
    expect(server.requests).toHaveLength(1);
  });
});
