import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  Dataset,
  DatasetVersion,
} from '@internal/backstage-plugin-datasets-common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { TooManyRequestsError } from '@internal/mlops-node';
import { PayloadTooLargeError } from '../formats/errors';
import { ObjectStore, validateObjectKey } from '../objectStore';
import { DatasetFiles } from '../versions/DatasetFiles';
import {
  SessionUsage,
  UploadSessionRecord,
  UploadSessionStore,
} from './UploadSessionStore';

/** S3's smallest part (all but the last) and largest part count. */
export const MIN_PART_SIZE = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;
export const DEFAULT_PART_SIZE = 8 * 1024 ** 2;
export const DEFAULT_STALE_AFTER_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_OPEN_SESSIONS_PER_TEAM = 4;
export const DEFAULT_MAX_RESERVED_BYTES_PER_TEAM = 4 * 1024 ** 3;

/**
 * How many upload sessions may be under way at once on the datasets of one owner (a team), and
 * how many bytes they may declare together: each holds space in the object store until it is
 * completed, aborted or removed as stale.
 */
export type UploadSessionLimits = {
  maxOpenPerTeam: number;
  maxReservedBytesPerTeam: number;
};

/**
 * An upload session as the API shows it: which parts to send, which are stored, which are
 * still missing.
 */
export type UploadSession = {
  id: string;
  datasetId: string;
  path: string;
  size: number;
  contentType?: string;
  /** Every part has this size except the last, which holds the rest. */
  partSize: number;
  partCount: number;
  state: 'open' | 'completing';
  parts: { partNumber: number; size: number }[];
  missingParts: number[];
  createdBy: string;
  createdAt: string;
  /** When the session is removed unless a part arrives before. */
  expiresAt: string;
};

export type UploadSessionsOptions = {
  sessions: UploadSessionStore;
  objectStore: ObjectStore;
  files: DatasetFiles;
  maxUploadBytes: number;
  partSize?: number;
  staleAfterMs?: number;
  limits?: UploadSessionLimits;
  logger?: LoggerService;
};

/**
 * Resumable uploads of large files. The parts of a file go to a multipart upload in the object
 * store under a temporary key; completing joins them, checks the file like a direct upload and
 * commits it as a new version, or deletes everything when the check fails.
 */
export class UploadSessions {
  private readonly partSize: number;
  private readonly staleAfterMs: number;
  private readonly limits: UploadSessionLimits;

  constructor(private readonly options: UploadSessionsOptions) {
    this.limits = options.limits ?? {
      maxOpenPerTeam: DEFAULT_MAX_OPEN_SESSIONS_PER_TEAM,
      maxReservedBytesPerTeam: Math.max(
        DEFAULT_MAX_RESERVED_BYTES_PER_TEAM,
        options.maxUploadBytes,
      ),
    };
    this.partSize = Math.max(
      options.partSize ?? DEFAULT_PART_SIZE,
      MIN_PART_SIZE,
    );
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  private partCount(session: UploadSessionRecord) {
    return Math.ceil(session.size / session.partSize);
  }

  private expectedPartSize(session: UploadSessionRecord, partNumber: number) {
    return partNumber < this.partCount(session)
      ? session.partSize
      : session.size - (partNumber - 1) * session.partSize;
  }

  private async describe(session: UploadSessionRecord): Promise<UploadSession> {
    const parts = await this.options.sessions.parts(session.id);
    const stored = new Set(parts.map(p => p.partNumber));
    const partCount = this.partCount(session);
    const missingParts: number[] = [];
    for (let n = 1; n <= partCount; n++) {
      if (!stored.has(n)) missingParts.push(n);
    }
    return {
      id: session.id,
      datasetId: session.datasetId,
      path: session.path,
      size: session.size,
      ...(session.contentType && { contentType: session.contentType }),
      partSize: session.partSize,
      partCount,
      state: session.state,
      parts: parts.map(({ partNumber, size }) => ({ partNumber, size })),
      missingParts,
      createdBy: session.createdBy,
      createdAt: session.createdAt,
      expiresAt: new Date(
        session.lastActivityMs + this.staleAfterMs,
      ).toISOString(),
    };
  }

  async create(request: {
    dataset: Dataset;
    path: string;
    size: number;
    contentType?: string;
    createdBy: string;
  }): Promise<UploadSession> {
    const { dataset, path, size } = request;
    validateObjectKey(path);
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new InputError(
        `size must be the file's size in bytes, a positive integer; got ${JSON.stringify(
          size,
        )}`,
      );
    }
    const limit = this.options.maxUploadBytes;
    if (size > limit) {
      throw new PayloadTooLargeError(
        `'${path}' is ${size} bytes, more than the upload limit of ${limit} bytes`,
      );
    }
    const id = randomUUID();
    const tempKey = `upload-sessions/${id}`;
    const storeUploadId = await this.options.objectStore.startMultipartUpload(
      tempKey,
    );
    const record: UploadSessionRecord = {
      id,
      datasetId: dataset.id,
      path,
      size,
      contentType: request.contentType,
      partSize: Math.max(this.partSize, Math.ceil(size / MAX_PARTS)),
      tempKey,
      storeUploadId,
      state: 'open',
      createdBy: request.createdBy,
      createdAt: new Date().toISOString(),
      lastActivityMs: Date.now(),
    };
    try {
      await this.options.sessions.insert(record, {
        owner: dataset.owner,
        admit: usage => this.admit(dataset.owner, usage, size),
      });
    } catch (error) {
      await this.options.objectStore
        .abortMultipartUpload(tempKey, storeUploadId)
        .catch(() => {});
      throw error;
    }
    return this.describe(record);
  }

  /** Throws 429 when a new session of `size` bytes would take `owner` past the limits. */
  private admit(owner: string, usage: SessionUsage, size: number) {
    const { maxOpenPerTeam, maxReservedBytesPerTeam } = this.limits;
    const advice =
      'complete or abort one of them first (idle sessions are removed after ' +
      `${Math.round(this.staleAfterMs / 3_600_000)} hours)`;
    if (usage.sessions >= maxOpenPerTeam) {
      throw new TooManyRequestsError(
        `${owner} already has ${usage.sessions} upload sessions under way, the limit per team ` +
          `(mlops.datasets.uploadSessions.maxOpenPerTeam = ${maxOpenPerTeam}); ${advice}`,
      );
    }
    if (usage.reservedBytes + size > maxReservedBytesPerTeam) {
      throw new TooManyRequestsError(
        `${owner} has upload sessions under way for ${usage.reservedBytes} bytes; ${size} more ` +
          `would exceed the limit per team of ${maxReservedBytesPerTeam} bytes ` +
          `(mlops.datasets.uploadSessions.maxReservedBytesPerTeam); ${advice}`,
      );
    }
  }

  /** The caller's session on `dataset`; other people's sessions do not exist for them. */
  private async session(
    dataset: Dataset,
    id: string,
    user: string,
  ): Promise<UploadSessionRecord> {
    const session = await this.options.sessions.get(id);
    if (
      !session ||
      session.datasetId !== dataset.id ||
      session.createdBy !== user
    ) {
      throw new NotFoundError(
        `No upload session '${id}' on dataset '${dataset.name}'`,
      );
    }
    return session;
  }

  async get(
    dataset: Dataset,
    id: string,
    user: string,
  ): Promise<UploadSession> {
    return this.describe(await this.session(dataset, id, user));
  }

  async putPart(request: {
    dataset: Dataset;
    id: string;
    user: string;
    partNumber: string;
    body: Readable;
    contentLength?: number;
  }): Promise<{ partNumber: number; size: number }> {
    const session = await this.session(
      request.dataset,
      request.id,
      request.user,
    );
    const partCount = this.partCount(session);
    const partNumber = Number(request.partNumber);
    if (
      !/^[0-9]+$/.test(request.partNumber) ||
      partNumber < 1 ||
      partNumber > partCount
    ) {
      throw new InputError(
        `Part number must be an integer from 1 to ${partCount}; got '${request.partNumber}'`,
      );
    }
    if (session.state !== 'open') {
      throw new ConflictError(
        `Upload session '${session.id}' is being completed; no more parts are accepted`,
      );
    }
    const size = this.expectedPartSize(session, partNumber);
    if (request.contentLength !== size) {
      throw new InputError(
        `Part ${partNumber} of '${
          session.path
        }' must be sent with Content-Length ${size}; got ${
          request.contentLength ?? 'none'
        }`,
      );
    }
    const stored = await this.options.objectStore.uploadPart(
      session.tempKey,
      session.storeUploadId,
      partNumber,
      request.body,
      size,
    );
    if (
      !(await this.options.sessions.savePart(session.id, { ...stored, size }))
    ) {
      throw new ConflictError(
        `Upload session '${session.id}' was completed or aborted while part ${partNumber} arrived`,
      );
    }
    return { partNumber, size };
  }

  /** Joins the parts, checks the file and commits a new version; see the class comment. */
  async complete(
    dataset: Dataset,
    id: string,
    user: string,
  ): Promise<DatasetVersion> {
    const { sessions, objectStore, files } = this.options;
    const session = await this.session(dataset, id, user);
    const described = await this.describe(session);
    if (described.missingParts.length > 0) {
      throw new InputError(
        `Upload of '${
          session.path
        }' is missing part(s) ${described.missingParts.join(', ')} of ${
          described.partCount
        }; upload them, then complete again`,
      );
    }
    if (!(await sessions.transition(session.id, 'open', 'completing'))) {
      throw new ConflictError(
        `Upload session '${session.id}' is already being completed`,
      );
    }
    const parts = await sessions.parts(session.id);
    try {
      await objectStore.completeMultipartUpload(
        session.tempKey,
        session.storeUploadId,
        parts,
      );
    } catch (error) {
      if (error instanceof ServiceUnavailableError) {
        // The store could not be reached: the parts are still there, so completing may be retried.
        await sessions.transition(session.id, 'completing', 'open');
      } else {
        await this.removeQuietly(session);
      }
      throw error;
    }
    try {
      return await files.upload({
        dataset,
        path: session.path,
        body: await objectStore.get(session.tempKey),
        contentLength: session.size,
        createdBy: session.createdBy,
      });
    } finally {
      await this.removeQuietly(session);
    }
  }

  async abort(dataset: Dataset, id: string, user: string): Promise<void> {
    const session = await this.session(dataset, id, user);
    if (session.state !== 'open') {
      throw new ConflictError(
        `Upload session '${session.id}' is being completed and cannot be aborted`,
      );
    }
    await this.remove(session);
  }

  /** Like remove, for cleanup after another error, which must not be masked. */
  private async removeQuietly(session: UploadSessionRecord): Promise<void> {
    await this.remove(session).catch(error =>
      this.options.logger?.warn(
        `Could not remove upload session ${session.id}: ${error}`,
      ),
    );
  }

  /** Deletes the session, its parts and its temporary object; missing pieces are no error. */
  private async remove(session: UploadSessionRecord): Promise<void> {
    const { objectStore, sessions } = this.options;
    await objectStore.abortMultipartUpload(
      session.tempKey,
      session.storeUploadId,
    );
    await objectStore.delete(session.tempKey);
    await sessions.delete(session.id);
  }

  /** Removes sessions idle for longer than the configured time; returns how many. */
  async removeStale(now: number = Date.now()): Promise<number> {
    const stale = await this.options.sessions.idleSince(
      now - this.staleAfterMs,
    );
    let removed = 0;
    for (const session of stale) {
      try {
        await this.remove(session);
        removed++;
      } catch (error) {
        this.options.logger?.warn(
          `Could not remove the stale upload session ${session.id}: ${error}`,
        );
      }
    }
    return removed;
  }
}
