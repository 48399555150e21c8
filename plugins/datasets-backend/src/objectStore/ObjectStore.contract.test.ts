import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { InputError, NotFoundError } from '@backstage/errors';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { LocalDirectoryObjectStore } from './LocalDirectoryObjectStore';
import { ObjectStore } from './ObjectStore';
import { S3ObjectStore } from './S3ObjectStore';
import { motoServerPath, requireMotoAuth, startMotoServer } from './motoAuth';

jest.setTimeout(60_000);

const s3Url = process.env.MLOPS_TEST_S3_URL;
const s3Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'object-store-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

async function createBucket(endpoint: string) {
  const bucket = `contract-${randomUUID()}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3Credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return bucket;
}

type Driver = {
  name: string;
  skip?: string;
  create(): Promise<ObjectStore>;
  /** Partial-upload leftovers the driver might keep, which must be empty after a failed write. */
  leftovers(): string[];
};

const drivers: Driver[] = [
  {
    name: 'local folder',
    create: async () => new LocalDirectoryObjectStore(join(tmp, 'root')),
    leftovers: () => readdirSync(join(tmp, 'root', '.staging')),
  },
  {
    name: 'S3',
    skip: s3Url
      ? undefined
      : 'MLOPS_TEST_S3_URL is not set: start an S3 server (.venv/bin/moto_server -H 127.0.0.1 -p 45000) and set MLOPS_TEST_S3_URL=http://127.0.0.1:45000',
    create: async () =>
      new S3ObjectStore({
        endpoint: s3Url,
        bucket: await createBucket(s3Url!),
        prefix: 'datasets',
        partSize: 5 * 1024 ** 2,
        ...s3Credentials,
      }),
    // Parts of a failed multipart upload are aborted; listing shows no object for it.
    leftovers: () => [],
  },
];

function failingStream() {
  return new Readable({
    read() {
      this.push('partial content');
      this.destroy(new Error('connection reset'));
    },
  });
}

describe.each(drivers)('object store contract: $name', driver => {
  if (driver.skip) {
    it.todo(`skipped: ${driver.skip}`);
    // eslint-disable-next-line no-console
    console.warn(
      `Skipping the ${driver.name} object store contract: ${driver.skip}`,
    );
    return;
  }
  let store: ObjectStore;
  beforeEach(async () => {
    store = await driver.create();
  });

  it('stores, lists, reads, describes and deletes objects', async () => {
    await store.put('mnist/v1/train.idx', Buffer.from('train'));
    await store.put('mnist/v1/test.idx', Readable.from(['te', 'st']));
    await store.put('iris.csv', Buffer.from('a,b'));

    expect(await store.list()).toEqual([
      'iris.csv',
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('mnist/')).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('mnist/v1/tr')).toEqual(['mnist/v1/train.idx']);
    expect(await store.list('mn')).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await text(await store.get('mnist/v1/test.idx'))).toBe('test');
    expect(await store.head('mnist/v1/train.idx')).toEqual({ size: 5 });
    expect(await store.head('mnist/v1/none.idx')).toBeUndefined();

    await store.put('iris.csv', Buffer.from('replaced'));
    expect(await text(await store.get('iris.csv'))).toBe('replaced');

    await store.delete('iris.csv');
    await store.delete('iris.csv');
    expect(await store.list()).toEqual([
      'mnist/v1/test.idx',
      'mnist/v1/train.idx',
    ]);
    await expect(store.get('iris.csv')).rejects.toThrow(NotFoundError);
    await expect(store.get('mnist/v1')).rejects.toThrow(NotFoundError);
    expect(await store.head('iris.csv')).toBeUndefined();
  });

  it('streams an object larger than one upload part', async () => {
    const content = randomBytes(12 * 1024 ** 2 + 123);
    const chunks = [];
    for (let i = 0; i < content.length; i += 1024 ** 2) {
      chunks.push(content.subarray(i, i + 1024 ** 2));
    }
    await store.put('big/blob.bin', Readable.from(chunks));

    expect(await store.head('big/blob.bin')).toEqual({ size: content.length });
    expect(
      (await buffer(await store.get('big/blob.bin'))).equals(content),
    ).toBe(true);
  });

  it('joins the parts of a multipart upload, in order, only on completion', async () => {
    const first = randomBytes(5 * 1024 ** 2);
    const last = randomBytes(1234);
    const uploadId = await store.startMultipartUpload('parts/joined.bin');
    const two = await store.uploadPart(
      'parts/joined.bin',
      uploadId,
      2,
      Readable.from([last]),
      last.length,
    );
    await expect(
      store.uploadPart(
        'parts/joined.bin',
        uploadId,
        1,
        Readable.from([first.subarray(0, 100)]),
        first.length,
      ),
    ).rejects.toThrow();
    const one = await store.uploadPart(
      'parts/joined.bin',
      uploadId,
      1,
      Readable.from([first]),
      first.length,
    );
    expect(await store.list()).toEqual([]);

    await store.completeMultipartUpload('parts/joined.bin', uploadId, [
      two,
      one,
    ]);
    expect(await store.list()).toEqual(['parts/joined.bin']);
    expect(
      (await buffer(await store.get('parts/joined.bin'))).equals(
        Buffer.concat([first, last]),
      ),
    ).toBe(true);
    expect(driver.leftovers()).toEqual([]);
  });

  it('forgets the parts of an aborted multipart upload', async () => {
    const uploadId = await store.startMultipartUpload('parts/aborted.bin');
    await store.uploadPart(
      'parts/aborted.bin',
      uploadId,
      1,
      Readable.from([Buffer.from('abc')]),
      3,
    );
    await store.abortMultipartUpload('parts/aborted.bin', uploadId);
    await store.abortMultipartUpload('parts/aborted.bin', uploadId);

    expect(await store.list()).toEqual([]);
    // S3 answers NoSuchUpload; moto an HTTP 500 page. Either way the part is not taken.
    await expect(
      store.uploadPart(
        'parts/aborted.bin',
        uploadId,
        2,
        Readable.from([Buffer.from('d')]),
        1,
      ),
    ).rejects.toThrow();
    expect(await store.list()).toEqual([]);
  });

  it.each([
    ['/etc/passwd', 'absolute paths are not allowed'],
    ['../outside', "'.' and '..' segments are not allowed"],
    ['a/../../outside', "'.' and '..' segments are not allowed"],
    ['a/./b', "'.' and '..' segments are not allowed"],
    ['a\\..\\b', 'backslashes are not allowed'],
    ['a//b', 'empty segments are not allowed'],
    ['a/', 'empty segments are not allowed'],
    ['', 'empty segments are not allowed'],
    ['a\0b', 'NUL characters are not allowed'],
  ])('rejects the key %j', async (key, problem) => {
    const message = `Invalid object key '${key}': ${problem}`;
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({
      name: 'InputError',
      message,
    });
    await expect(store.get(key)).rejects.toThrow(message);
    await expect(store.head(key)).rejects.toThrow(message);
    await expect(store.delete(key)).rejects.toThrow(message);
    expect(await store.list()).toEqual([]);
  });

  it('rejects prefixes that could escape the store', async () => {
    await expect(store.list('../')).rejects.toThrow(
      "Invalid object key prefix '../': '.' and '..' segments are not allowed",
    );
    await expect(store.list('a/..')).rejects.toThrow(
      "Invalid object key prefix 'a/..': '.' and '..' segments are not allowed",
    );
    await expect(store.list('/')).rejects.toThrow(InputError);
  });

  it('leaves nothing under the key when the upload fails midway', async () => {
    await store.put('data.csv', Buffer.from('old'));
    await expect(store.put('data.csv', failingStream())).rejects.toThrow(
      'connection reset',
    );
    await expect(store.put('new/data.csv', failingStream())).rejects.toThrow(
      'connection reset',
    );
    expect(await text(await store.get('data.csv'))).toBe('old');
    expect(await store.list()).toEqual(['data.csv']);
    expect(driver.leftovers()).toEqual([]);
  });
});

describe('LocalDirectoryObjectStore', () => {
  it('resolves a relative root against the working directory and creates it', async () => {
    const relativeRoot = relative(process.cwd(), join(tmp, 'relative'));
    const store = new LocalDirectoryObjectStore(relativeRoot);
    await store.put('a.txt', Buffer.from('a'));

    expect(store.location).toBe(join(tmp, 'relative'));
    expect(readdirSync(join(tmp, 'relative'))).toContain('a.txt');
  });

  it('reserves its staging folder', async () => {
    const store = new LocalDirectoryObjectStore(join(tmp, 'root'));
    await expect(store.put('.staging/x', Buffer.from('x'))).rejects.toThrow(
      "Invalid object key '.staging/x': '.staging' is reserved",
    );
  });

  it('reports the free space of its folder and gives no download URL', async () => {
    const store: ObjectStore = new LocalDirectoryObjectStore(join(tmp, 'root'));
    await store.put('a', Buffer.from('a'));
    expect(await store.freeBytes()).toBeGreaterThan(0);
    expect(await store.downloadUrl('a', 60)).toBeUndefined();
  });
});

const describeS3 = s3Url ? describe : describe.skip;

describeS3('S3ObjectStore against a real S3 server', () => {
  it('gives a presigned URL that downloads the object without credentials', async () => {
    const store = new S3ObjectStore({
      endpoint: s3Url,
      bucket: await createBucket(s3Url!),
      ...s3Credentials,
    });
    await store.put('digits/sample.bin', Buffer.from('presigned content'));
    const url = await store.downloadUrl('digits/sample.bin', 60);

    expect(url).toContain('X-Amz-Signature=');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('presigned content');
  });

  it('keeps its objects under its prefix, invisible to a store on another prefix', async () => {
    const bucket = await createBucket(s3Url!);
    const a = new S3ObjectStore({
      endpoint: s3Url,
      bucket,
      prefix: 'a/',
      ...s3Credentials,
    });
    const b = new S3ObjectStore({
      endpoint: s3Url,
      bucket,
      prefix: 'b',
      ...s3Credentials,
    });
    await a.put('x.csv', Buffer.from('1'));

    expect(await a.list()).toEqual(['x.csv']);
    expect(await b.list()).toEqual([]);
    expect(a.location).toBe(`s3://${bucket}/a/ at ${s3Url}`);
  });

  it('says when the bucket does not exist', async () => {
    const store = new S3ObjectStore({
      endpoint: s3Url,
      bucket: 'no-such-bucket-here',
      ...s3Credentials,
    });
    const message = `The bucket 'no-such-bucket-here' does not exist at ${s3Url}`;
    await expect(store.put('a', Buffer.from('a'))).rejects.toMatchObject({
      name: 'NotFoundError',
      message,
    });
    await expect(store.list()).rejects.toThrow(message);
    await expect(store.get('a')).rejects.toThrow(message);
  });
});

describe('S3ObjectStore without a server', () => {
  it('says when the endpoint cannot be reached', async () => {
    // A port nobody listens on: bound and closed again.
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise(resolve => server.close(resolve));
    const endpoint = `http://127.0.0.1:${port}`;
    const store = new S3ObjectStore({
      endpoint,
      bucket: 'b',
      ...s3Credentials,
    });

    await expect(store.list()).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: `Cannot reach the S3 endpoint ${endpoint}: ECONNREFUSED`,
    });
    await expect(store.put('a', Buffer.from('a'))).rejects.toThrow(
      `Cannot reach the S3 endpoint ${endpoint}: ECONNREFUSED`,
    );
  });

  it('rejects a bad prefix when configured', () => {
    expect(
      () =>
        new S3ObjectStore({
          endpoint: 'http://x',
          bucket: 'b',
          prefix: '../up',
        }),
    ).toThrow("Invalid object key prefix '../up/'");
  });
});

const motoServer = motoServerPath();
const describeMoto = motoServer ? describe : describe.skip;

describeMoto(
  'S3ObjectStore against a private moto server with credential checks',
  () => {
    let moto: Awaited<ReturnType<typeof startMotoServer>>;
    beforeAll(async () => {
      moto = await startMotoServer(motoServer!);
    });
    afterAll(() => moto?.stop());

    it('says when access is denied', async () => {
      const bucket = await createBucket(moto.url);
      await requireMotoAuth(moto.url);
      const store = new S3ObjectStore({
        endpoint: moto.url,
        bucket,
        accessKeyId: 'unknown-key',
        secretAccessKey: 'wrong',
      });
      const message = `Access denied to bucket '${bucket}' at ${moto.url} (InvalidAccessKeyId); check the access key and the bucket policy`;
      await expect(store.list()).rejects.toMatchObject({
        name: 'NotAllowedError',
        message,
      });
      await expect(store.put('a', Buffer.from('a'))).rejects.toThrow(message);
      await expect(store.head('a')).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `Access denied to bucket '${bucket}' at ${moto.url} (HTTP 403); check the access key and the bucket policy`,
      });
    });
  },
);
