import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { unsafeCharacterIn } from '@internal/backstage-plugin-mlops-common';
import express from 'express';
import { DatasetUploadMetrics } from '../metrics';
import { UploadSessions } from './UploadSessions';

const MAX_CONTENT_TYPE_LENGTH = 255;

function parseCreateRequest(body: unknown) {
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.path !== 'string' || !input.path) {
    throw new InputError(
      'path (the file name inside the dataset, e.g. train.csv) is required',
    );
  }
  if (typeof input.size !== 'number') {
    throw new InputError("size (the file's size in bytes) is required");
  }
  const contentType = input.contentType;
  if (
    contentType !== undefined &&
    (typeof contentType !== 'string' ||
      contentType.length > MAX_CONTENT_TYPE_LENGTH ||
      unsafeCharacterIn(contentType))
  ) {
    throw new InputError(
      `contentType must be a string of at most ${MAX_CONTENT_TYPE_LENGTH} characters, without control characters`,
    );
  }
  return {
    path: input.path,
    size: input.size,
    contentType: (contentType as string | undefined) || undefined,
  };
}

/**
 * Routes of resumable uploads under /datasets/:id/upload-sessions. Each needs the same
 * permission as a direct upload (dataset update), and a session is visible only to its creator.
 */
export function addUploadSessionRoutes(
  router: express.Router,
  deps: {
    /** The signed-in caller and the dataset they may change; throws otherwise. */
    datasetForUpdate(req: express.Request): Promise<{
      credentials: BackstageCredentials<{ userEntityRef: string }>;
      dataset: Dataset;
    }>;
    uploadSessions?: UploadSessions;
    /** Counts the requests refused below. */
    uploadMetrics?: DatasetUploadMetrics;
  },
) {
  const track = <T>(step: () => Promise<T>): Promise<T> =>
    deps.uploadMetrics ? deps.uploadMetrics.track(step) : step();

  async function context(req: express.Request) {
    const { credentials, dataset } = await deps.datasetForUpdate(req);
    if (!deps.uploadSessions) {
      throw new NotFoundError('Upload sessions are not available');
    }
    return {
      sessions: deps.uploadSessions,
      dataset,
      user: credentials.principal.userEntityRef,
    };
  }

  router.post(
    '/datasets/:id/upload-sessions',
    express.json(),
    async (req, res) => {
      const { sessions, dataset, user } = await context(req);
      const session = await track(async () =>
        sessions.create({
          ...parseCreateRequest(req.body),
          dataset,
          createdBy: user,
        }),
      );
      res.status(201).json(session);
    },
  );

  router.get('/datasets/:id/upload-sessions/:sessionId', async (req, res) => {
    const { sessions, dataset, user } = await context(req);
    res.json(await sessions.get(dataset, req.params.sessionId, user));
  });

  router.put(
    '/datasets/:id/upload-sessions/:sessionId/parts/:partNumber',
    async (req, res) => {
      const { sessions, dataset, user } = await context(req);
      const length = req.headers['content-length'];
      res.json(
        await track(() =>
          sessions.putPart({
            dataset,
            id: req.params.sessionId,
            user,
            partNumber: req.params.partNumber,
            body: req,
            contentLength: length === undefined ? undefined : Number(length),
          }),
        ),
      );
    },
  );

  router.post(
    '/datasets/:id/upload-sessions/:sessionId/complete',
    async (req, res) => {
      const { sessions, dataset, user } = await context(req);
      // A file that fails its checks is counted by DatasetFiles, once.
      const version = await track(() =>
        sessions.complete(dataset, req.params.sessionId, user),
      );
      res.status(201).json(version);
    },
  );

  router.delete(
    '/datasets/:id/upload-sessions/:sessionId',
    async (req, res) => {
      const { sessions, dataset, user } = await context(req);
      await sessions.abort(dataset, req.params.sessionId, user);
      res.status(204).end();
    },
  );
}
