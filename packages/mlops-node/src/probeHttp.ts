/**
 * Outcome of one HTTP request to a dependency, with a message a user understands when it failed.
 *
 * @public
 */
export type HttpProbeResult =
  | { ok: true; status: number; body: string }
  | { ok: false; status?: number; body?: string; message: string };

/**
 * Requests `url` once with a timeout. Never throws: connection errors, timeouts and non-2xx answers
 * become `{ ok: false, message }`.
 *
 * @public
 */
export async function probeHttp(
  url: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpProbeResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  try {
    const response = await fetch(url, {
      headers: options.headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    if (!response.ok) {
      return {
        ok: false,
        status: response.status,
        body,
        message: `${url} answered HTTP ${response.status}${describeStatus(
          response.status,
        )}`,
      };
    }
    return { ok: true, status: response.status, body };
  } catch (error) {
    return { ok: false, message: describeFetchError(url, error, timeoutMs) };
  }
}

function describeStatus(status: number): string {
  if (status === 401 || status === 403) {
    return ' (the credentials were refused: check the token)';
  }
  return '';
}

function describeFetchError(
  url: string,
  error: unknown,
  timeoutMs: number,
): string {
  const err = error as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') {
    return `${url} did not answer within ${timeoutMs / 1000} s`;
  }
  switch (err.cause?.code) {
    case 'ECONNREFUSED':
      return `${url} refused the connection: is the server running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${url}: the host name could not be resolved`;
    default:
      return `${url} could not be reached: ${String(
        (error as Error)?.message ?? error,
      )}`;
  }
}
