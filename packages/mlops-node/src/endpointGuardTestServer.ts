import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 that stands for an internal service in SSRF tests: it records every
 * request that reaches it and answers with `answer` (by default a body that must never be echoed).
 *
 * @public
 */
export type RecordingServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Requests that reached the server: method, path and Authorization header. */
  requests: { method?: string; path?: string; authorization?: string }[];
  close(): Promise<void>;
};

/** What the recording servers answer unless told otherwise; must never appear in an API answer. */
export const INTERNAL_SECRET_BODY =
  '<html>internal-service-secret-7f3a9c: root:x:0:0</html>';

/**
 * Starts a {@link RecordingServer}. `answer` writes the response; the default answers 200 with
 * {@link INTERNAL_SECRET_BODY}.
 *
 * @public
 */
export async function startRecordingServer(
  answer: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(INTERNAL_SECRET_BODY);
  },
): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method,
      path: req.url,
      authorization: req.headers.authorization,
    });
    answer(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A {@link RecordingServer} that redirects every request to `location` (302).
 *
 * @public
 */
export function startRedirectingServer(location: string) {
  return startRecordingServer((req, res) => {
    res.writeHead(302, { Location: `${location}${req.url ?? ''}` });
    res.end();
  });
}
