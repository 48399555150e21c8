import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LookupFunction } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { ObjectStore, UploadedPart } from './ObjectStore';
import { validateObjectKey, validateObjectPrefix } from './keys';
import { tlsProblem } from './tlsErrors';

/**
 * Where an S3 object store lives and how to sign in to it.
 *
 * @public
 */
export type S3ObjectStoreOptions = {
  /** Custom endpoint (MinIO, moto, Ceph...); the AWS endpoint of `region` when absent. */
  endpoint?: string;
  region?: string;
  bucket: string;
  /** Key prefix inside the bucket under which this store keeps its objects. */
  prefix?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which MinIO needs; default: true with a custom endpoint. */
  forcePathStyle?: boolean;
  /** Multipart part size in bytes (at least 5 MiB). */
  partSize?: number;
  /** DNS lookup for connections to the endpoint, e.g. one that refuses private addresses. */
  lookup?: LookupFunction;
};

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'TimeoutError',
]);

const ACCESS_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
]);

function errorCode(error: unknown): string | undefined {
  const e = error as {
    code?: string;
    name?: string;
    message?: string;
    cause?: unknown;
  };
  if (e?.code) return e.code;
  if (e?.cause) return errorCode(e.cause);
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  // Errors from another JavaScript realm reach us re-wrapped with only their message left,
  // e.g. "AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000".
  const wrapped = /\b(E[A-Z]{3,}|ERR_TLS_[A-Z_]+)\b/.exec(e?.message ?? '');
  if (e?.name === 'Error' && wrapped) return wrapped[1];
  return e?.name;
}

/** NoSuchUpload; some servers (moto) answer a plain 404 page for an upload id they do not know. */
function isMissingUpload(error: unknown) {
  const e = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
  };
  return (
    e?.name === 'NoSuchUpload' ||
    (e?.name !== 'NoSuchBucket' &&
      (e?.$metadata?.httpStatusCode === 404 ||
        e?.$response?.statusCode === 404))
  );
}

function isMissingObject(error: unknown) {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' ||
      error.name === 'NotFound' ||
      error.$metadata?.httpStatusCode === 404) &&
    error.name !== 'NoSuchBucket'
  );
}

/**
 * Object store in an S3 bucket (AWS S3, MinIO or any S3-compatible server): the production
 * driver. Uploads stream in parts, so an object appears only once it is complete.
 *
 * @public
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpointName: string;
  private readonly partSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix
      ? `${options.prefix.replace(/\/+$/, '')}/`
      : '';
    if (this.prefix) validateObjectPrefix(this.prefix);
    this.endpointName = options.endpoint ?? `AWS S3 (${options.region})`;
    this.location = `s3://${this.bucket}/${this.prefix}${
      options.endpoint ? ` at ${options.endpoint}` : ''
    }`;
    this.partSize = Math.max(options.partSize ?? 8 * 1024 ** 2, 5 * 1024 ** 2);
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
      maxAttempts: 2,
      requestHandler: {
        connectionTimeout: 10_000,
        ...(options.lookup && {
          httpAgent: new HttpAgent({ keepAlive: true, lookup: options.lookup }),
          httpsAgent: new HttpsAgent({
            keepAlive: true,
            lookup: options.lookup,
          }),
        }),
      },
      ...(options.accessKeyId &&
        options.secretAccessKey && {
          credentials: {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
          },
        }),
    });
  }

  private keyOf(key: string) {
    validateObjectKey(key);
    return `${this.prefix}${key}`;
  }

  /** Turns SDK and network errors into errors that say what is wrong with the store. */
  private explain(error: unknown): Error {
    const code = errorCode(error) ?? '';
    if (code === 'NoSuchBucket') {
      return new NotFoundError(
        `The bucket '${this.bucket}' does not exist at ${this.endpointName}`,
      );
    }
    if (
      ACCESS_ERRORS.has(code) ||
      (error instanceof S3ServiceException &&
        error.$metadata?.httpStatusCode === 403)
    ) {
      // HEAD answers carry no error body, so the SDK cannot name the code.
      const reason = code && code !== 'Unknown' ? code : 'HTTP 403';
      return new NotAllowedError(
        `Access denied to bucket '${this.bucket}' at ${this.endpointName} (${reason}); check the access key and the bucket policy`,
      );
    }
    const refused = /Refused: the S3 endpoint host .*/.exec(
      (error as Error)?.message ?? '',
    );
    if (refused) {
      return new NotAllowedError(refused[0]);
    }
    const tls = tlsProblem(error);
    if (tls) {
      return new ServiceUnavailableError(
        `TLS error talking to the S3 endpoint ${this.endpointName}: ${tls}`,
      );
    }
    if (NETWORK_ERRORS.has(code)) {
      return new ServiceUnavailableError(
        `Cannot reach the S3 endpoint ${this.endpointName}: ${code}`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.keyOf(key), Body: body },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.explain(error);
    }
  }

  async startMultipartUpload(key: string): Promise<string> {
    try {
      const result = await this.client.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
        }),
      );
      return result.UploadId!;
    } catch (error) {
      throw this.explain(error);
    }
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number,
  ): Promise<UploadedPart> {
    // The SDK does not notice a body that ends early or fails midway (it would wait for the
    // missing bytes), and an error inside its body stream goes unhandled: a wrong length or a
    // failed body ends the body quietly and aborts the request instead.
    const aborted = new AbortController();
    let bodyError: Error | undefined;
    const fail = (error: Error) => {
      bodyError ??= error;
      aborted.abort();
    };
    let seen = 0;
    const checked = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        if (seen > size) {
          fail(
            new InputError(`Part ${partNumber} has more than ${size} bytes`),
          );
          callback();
          return;
        }
        callback(null, chunk);
      },
      flush(callback) {
        if (seen !== size) {
          fail(
            new InputError(
              `Part ${partNumber} has ${seen} bytes, expected ${size}`,
            ),
          );
        }
        callback();
      },
    });
    body.on('error', error => {
      fail(error);
      checked.end();
    });
    body.pipe(checked);
    try {
      const result = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: checked,
          ContentLength: size,
        }),
        { abortSignal: aborted.signal },
      );
      return { partNumber, etag: result.ETag! };
    } catch (error) {
      if (bodyError) throw bodyError;
      if (isMissingUpload(error)) {
        throw new NotFoundError(`No multipart upload '${uploadId}'`);
      }
      throw this.explain(error);
    } finally {
      body.unpipe(checked);
    }
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [...parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map(part => ({ PartNumber: part.partNumber, ETag: part.etag })),
          },
        }),
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'InvalidPart' || name === 'InvalidPartOrder') {
        throw new InputError(
          `The parts of upload '${uploadId}' do not match what was stored: ${name}`,
        );
      }
      if (isMissingUpload(error)) {
        throw new NotFoundError(`No multipart upload '${uploadId}'`);
      }
      throw this.explain(error);
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          UploadId: uploadId,
        }),
      );
    } catch (error) {
      if (isMissingUpload(error)) return;
      throw this.explain(error);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
      return result.Body as Readable;
    } catch (error) {
      if (isMissingObject(error)) throw new NotFoundError(`No object '${key}'`);
      throw this.explain(error);
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const result = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
      return { size: result.ContentLength ?? 0 };
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw this.explain(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }),
      );
    } catch (error) {
      throw this.explain(error);
    }
  }

  async list(prefix: string = ''): Promise<string[]> {
    validateObjectPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.prefix}${prefix}`,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key) keys.push(object.Key.slice(this.prefix.length));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.explain(error);
    }
    return keys.sort();
  }

  /** Lists at most one key: proves the endpoint, the bucket and the credentials work. */
  async check(): Promise<void> {
    try {
      await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix,
          MaxKeys: 1,
        }),
      );
    } catch (error) {
      throw this.explain(error);
    }
  }

  async freeBytes(): Promise<undefined> {
    return undefined;
  }

  async downloadUrl(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }),
      { expiresIn: expiresInSeconds },
    );
  }
}
