import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';

/** Files larger than this go up in parts through an upload session, which can be resumed. */
export const RESUMABLE_UPLOAD_THRESHOLD = 8 * 1024 ** 2;

type HttpResult = { status: number; body: any };

/**
 * One request with XMLHttpRequest, the only browser API that reports upload progress. Resolves
 * with any HTTP answer; rejects only when no answer came (network error).
 */
function send(options: {
  method: string;
  url: string;
  token?: string;
  body?: Blob | string;
  contentType?: string;
  onProgress?: (loaded: number) => void;
}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(options.method, options.url);
    if (options.contentType) {
      xhr.setRequestHeader('Content-Type', options.contentType);
    }
    if (options.token) {
      xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    }
    if (options.onProgress) {
      const onProgress = options.onProgress;
      xhr.upload.onprogress = event => onProgress(event.loaded);
    }
    xhr.onload = () => {
      let body: any;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('Upload failed: network error'));
    xhr.send(options.body ?? null);
  });
}

function ok(result: HttpResult, what: string) {
  if (result.status >= 200 && result.status < 300) return result.body;
  throw Object.assign(
    new Error(
      result.body?.error?.message ??
        `${what} failed with HTTP ${result.status}`,
    ),
    { status: result.status },
  );
}

/**
 * POSTs a file's bytes in one request. Resolves with the new version; rejects with the
 * backend's error message.
 */
export async function uploadWithProgress(options: {
  url: string;
  token?: string;
  file: Blob;
  onProgress: (fraction: number) => void;
}): Promise<DatasetVersion> {
  const result = await send({
    method: 'POST',
    url: options.url,
    token: options.token,
    body: options.file,
    contentType: 'application/octet-stream',
    onProgress: loaded => options.onProgress(loaded / options.file.size),
  });
  const version = ok(result, 'Upload') as DatasetVersion;
  options.onProgress(1);
  return version;
}

/** An upload session as the datasets backend describes it. */
export type UploadSession = {
  id: string;
  path: string;
  size: number;
  partSize: number;
  partCount: number;
  state: 'open' | 'completing';
  parts: { partNumber: number; size: number }[];
  missingParts: number[];
};

/** Where the browser remembers the session of an unfinished upload (localStorage in the app). */
export type SessionMemory = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The same file picked again (same dataset, name, size and modification time) resumes. */
export function sessionMemoryKey(datasetId: string, file: File): string {
  return `mlops-portal.datasets.upload-session:${datasetId}:${file.name}:${file.size}:${file.lastModified}`;
}

/**
 * Uploads a large file in parts through an upload session and commits it as a new version.
 * The session id is remembered, so that after a network failure or a page reload, uploading
 * the same file again sends only the parts the backend does not have yet. Each part is retried
 * `retries` times on network and server errors before the upload gives up.
 */
export async function uploadResumable(options: {
  /** Base URL of the datasets backend. */
  baseUrl: string;
  datasetId: string;
  file: File;
  token?: string;
  onProgress: (fraction: number) => void;
  memory?: SessionMemory;
  retries?: number;
  retryDelayMs?: number;
}): Promise<DatasetVersion> {
  const { file, token } = options;
  const memory = options.memory ?? window.localStorage;
  const retries = options.retries ?? 3;
  const sessionsUrl = `${options.baseUrl}/datasets/${encodeURIComponent(
    options.datasetId,
  )}/upload-sessions`;
  const memoryKey = sessionMemoryKey(options.datasetId, file);

  let session: UploadSession | undefined;
  const remembered = memory.getItem(memoryKey);
  if (remembered) {
    const found = await send({
      method: 'GET',
      url: `${sessionsUrl}/${encodeURIComponent(remembered)}`,
      token,
    });
    if (found.status === 200 && found.body?.state === 'open') {
      session = found.body;
    } else if (found.status !== 404) {
      ok(found, 'Resuming the upload');
    }
  }
  if (!session) {
    session = ok(
      await send({
        method: 'POST',
        url: sessionsUrl,
        token,
        contentType: 'application/json',
        body: JSON.stringify({
          path: file.name,
          size: file.size,
          contentType: file.type || undefined,
        }),
      }),
      'Starting the upload',
    ) as UploadSession;
    memory.setItem(memoryKey, session.id);
  }
  const sessionUrl = `${sessionsUrl}/${encodeURIComponent(session.id)}`;

  let stored = session.parts.reduce((sum, part) => sum + part.size, 0);
  options.onProgress(stored / file.size);
  for (const partNumber of session.missingParts) {
    const start = (partNumber - 1) * session.partSize;
    const before = stored;
    const blob = file.slice(
      start,
      Math.min(start + session.partSize, file.size),
    );
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await send({
          method: 'PUT',
          url: `${sessionUrl}/parts/${partNumber}`,
          token,
          body: blob,
          contentType: 'application/octet-stream',
          onProgress: loaded =>
            options.onProgress((before + loaded) / file.size),
        });
        ok(result, `Uploading part ${partNumber}`);
        break;
      } catch (error) {
        const status = (error as { status?: number }).status;
        const retryable = status === undefined || status >= 500;
        if (!retryable || attempt >= retries) throw error;
        await new Promise(resolve =>
          setTimeout(resolve, (options.retryDelayMs ?? 1000) * (attempt + 1)),
        );
      }
    }
    stored += blob.size;
    options.onProgress(stored / file.size);
  }

  const completed = await send({
    method: 'POST',
    url: `${sessionUrl}/complete`,
    token,
  });
  // On failure the session id stays: a session the backend dropped (a corrupt file) answers 404
  // next time and a new one starts; one still open (a part missing) resumes.
  const version = ok(completed, 'Completing the upload') as DatasetVersion;
  memory.removeItem(memoryKey);
  options.onProgress(1);
  return version;
}
