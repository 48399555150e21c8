import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { sessionMemoryKey, SessionMemory, uploadResumable } from './upload';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const BASE = 'http://backend.test/api/datasets';
const SESSIONS = `${BASE}/datasets/d1/upload-sessions`;

function memory(): SessionMemory & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: key => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: key => {
      items.delete(key);
    },
  };
}

/**
 * A backend with upload sessions of 4-byte parts, which loses the connection on the parts
 * listed in `failing` (while they are listed), and logs every request.
 */
function fakeBackend(failing: Set<number>) {
  const log: string[] = [];
  const sessions = new Map<string, { size: number; stored: Set<number> }>();
  const describe = (id: string) => {
    const { size, stored } = sessions.get(id)!;
    const partCount = Math.ceil(size / 4);
    const all = Array.from({ length: partCount }, (_, i) => i + 1);
    return {
      id,
      path: 'big.csv',
      size,
      partSize: 4,
      partCount,
      state: 'open',
      parts: all
        .filter(n => stored.has(n))
        .map(n => ({
          partNumber: n,
          size: n < partCount ? 4 : size - 4 * (n - 1),
        })),
      missingParts: all.filter(n => !stored.has(n)),
    };
  };
  server.use(
    http.post(SESSIONS, async ({ request }) => {
      const body = (await request.json()) as { size: number };
      const id = `s${sessions.size + 1}`;
      log.push(`create ${id}`);
      sessions.set(id, { size: body.size, stored: new Set() });
      return HttpResponse.json(describe(id), { status: 201 });
    }),
    http.get(`${SESSIONS}/:id`, ({ params }) => {
      log.push(`get ${params.id}`);
      if (!sessions.has(params.id as string)) {
        return HttpResponse.json(
          { error: { message: 'No upload session' } },
          { status: 404 },
        );
      }
      return HttpResponse.json(describe(params.id as string));
    }),
    http.put(`${SESSIONS}/:id/parts/:n`, ({ params, request }) => {
      const n = Number(params.n);
      log.push(`put ${params.id}/${n}`);
      expect(request.headers.get('authorization')).toBe('Bearer t');
      if (failing.has(n)) return HttpResponse.error();
      sessions.get(params.id as string)!.stored.add(n);
      return HttpResponse.json({ partNumber: n });
    }),
    http.post(`${SESSIONS}/:id/complete`, ({ params }) => {
      log.push(`complete ${params.id}`);
      const missing = describe(params.id as string).missingParts;
      if (missing.length) {
        return HttpResponse.json(
          { error: { message: `missing part(s) ${missing.join(', ')}` } },
          { status: 400 },
        );
      }
      sessions.delete(params.id as string);
      return HttpResponse.json({ version: 'v1', files: [] }, { status: 201 });
    }),
  );
  return { log, sessions };
}

const file = new File(['a,b\n1,2\n3,4\n'], 'big.csv', { lastModified: 42 });

function start(store: SessionMemory, progress: number[] = []) {
  return uploadResumable({
    baseUrl: BASE,
    datasetId: 'd1',
    file,
    token: 't',
    memory: store,
    retries: 1,
    retryDelayMs: 1,
    onProgress: fraction => progress.push(fraction),
  });
}

describe('uploadResumable', () => {
  it('resumes from the parts already stored after a network failure', async () => {
    const failing = new Set([2]);
    const { log } = fakeBackend(failing);
    const store = memory();

    await expect(start(store)).rejects.toThrow('Upload failed: network error');
    expect(log).toEqual(['create s1', 'put s1/1', 'put s1/2', 'put s1/2']);
    expect(store.items.get(sessionMemoryKey('d1', file))).toBe('s1');

    // Later (or after a page reload), the same file again: only parts 2 and 3 are sent.
    failing.clear();
    log.length = 0;
    const progress: number[] = [];
    await expect(start(store, progress)).resolves.toMatchObject({
      version: 'v1',
    });
    expect(log).toEqual(['get s1', 'put s1/2', 'put s1/3', 'complete s1']);
    expect(progress[0]).toBeCloseTo(4 / 12);
    expect(progress.at(-1)).toBe(1);
    expect(store.items.size).toBe(0);
  });

  it('starts a new session when the remembered one is gone', async () => {
    const { log } = fakeBackend(new Set());
    const store = memory();
    store.setItem(sessionMemoryKey('d1', file), 'expired');

    await start(store);
    expect(log).toEqual([
      'get expired',
      'create s1',
      'put s1/1',
      'put s1/2',
      'put s1/3',
      'complete s1',
    ]);
  });

  it('keys the memory by dataset, name, size and modification time', () => {
    const other = new File(['a,b\n1,2\n3,4\n'], 'big.csv', {
      lastModified: 43,
    });
    expect(sessionMemoryKey('d1', file)).not.toBe(
      sessionMemoryKey('d1', other),
    );
    expect(sessionMemoryKey('d1', file)).not.toBe(sessionMemoryKey('d2', file));
  });
});
