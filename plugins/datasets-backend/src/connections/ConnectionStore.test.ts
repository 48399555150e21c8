import {
  EndpointGuard,
  RecordingServer,
  startRecordingServer,
} from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { ConnectionStore } from './ConnectionStore';
import { SecretBox } from './SecretBox';

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

// storeFor never touches the database.
const storeWith = (guard: EndpointGuard) =>
  new ConnectionStore(
    {} as Knex,
    new SecretBox(randomBytes(32).toString('base64')),
    guard,
  ).storeFor({
    // A host name, so that the address is checked when the connection is made, after DNS.
    endpoint: `http://localhost:${server.port}`,
    region: 'us-east-1',
    bucket: 'some-bucket',
    prefix: '',
    forcePathStyle: true,
    accessKeyId: 'a',
    secretAccessKey: 'b',
  });

describe('ConnectionStore', () => {
  it('refuses private addresses again when a store connects', async () => {
    await expect(storeWith(new EndpointGuard()).list()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /^Refused: the S3 endpoint host 'localhost' resolves to the loopback address/,
      ),
    });
    expect(server.requests).toEqual([]);
  });

  it('connects to an address the allow-list names', async () => {
    const guard = new EndpointGuard({ allowed: ['127.0.0.0/8', '::1/128'] });
    // The recording server is no S3 server: what the SDK makes of its answer does not matter here.
    await storeWith(guard)
      .list()
      .catch(() => undefined);
    expect(server.requests.length).toBeGreaterThan(0);
  });
});
