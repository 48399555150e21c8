import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import request from 'supertest';
import { datasetsPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const describeTls = hasOpenssl() ? describe : describe.skip;

/** A throwaway key and self-signed certificate for `localhost`, made for this test only. */
function selfSignedCertificate(dir: string) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

describeTls('S3 connections over TLS', () => {
  let tmp: string;
  let server: Server;
  let certificate: { key: Buffer; cert: Buffer };
  let port: number;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'datasets-tls-'));
    certificate = selfSignedCertificate(tmp);
    server = createServer(certificate, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end('<ListBucketResult></ListBucketResult>');
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise(resolve => server?.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  async function saveConnection(endpoint: string) {
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        datasetsPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              datasets: {
                objectStore: { type: 'local', root: join(tmp, 'store') },
                samples: { enabled: false },
                connections: {
                  encryptionKey: randomBytes(32).toString('base64'),
                  allowPrivateEndpoints: true,
                },
              },
            },
          },
        }),
      ],
    });
    const res = await request(backend.server)
      .post('/api/datasets/connections')
      .send({
        name: 'lake',
        endpoint,
        bucket: 'some-bucket',
        accessKeyId: 'test',
        secretAccessKey: 'test-secret',
      });
    return { res, rows: await knex('dataset_connections') };
  }

  it('says TLS error when the endpoint has a self-signed certificate', async () => {
    const endpoint = `https://127.0.0.1:${port}`;
    const { res, rows } = await saveConnection(endpoint);

    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      `Connection check failed: TLS error talking to the S3 endpoint ${endpoint}: the server's certificate is self-signed, not issued by a trusted certificate authority`,
    );
    expect(rows).toEqual([]);
  });

  // Trusting the certificate for a moment makes the host name the only problem left.
  (typeof tls.setDefaultCACertificates === 'function'
    ? describe
    : describe.skip)('with the certificate trusted', () => {
    let before: string[];
    beforeEach(() => {
      before = tls.getCACertificates('default');
      tls.setDefaultCACertificates([...before, certificate.cert.toString()]);
    });
    afterEach(() => tls.setDefaultCACertificates(before));

    it('says TLS error when the certificate names another host', async () => {
      const endpoint = `https://127.0.0.1:${port}`;
      const { res, rows } = await saveConnection(endpoint);

      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Connection check failed: TLS error talking to the S3 endpoint ${endpoint}: the server's certificate is not valid for this host name`,
      );
      expect(rows).toEqual([]);
    });
  });

  it('says when an https endpoint does not speak TLS', async () => {
    const plain = createHttpServer((_req, res) => res.end());
    await new Promise<void>(resolve =>
      plain.listen(0, '127.0.0.1', () => resolve()),
    );
    try {
      const endpoint = `https://127.0.0.1:${
        (plain.address() as { port: number }).port
      }`;
      const { res } = await saveConnection(endpoint);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Connection check failed: TLS error talking to the S3 endpoint ${endpoint}: the server does not speak TLS at this address (an http:// endpoint?)`,
      );
    } finally {
      plain.closeAllConnections();
      await new Promise(resolve => plain.close(resolve));
    }
  });
});
