import { ServiceUnavailableError } from '@backstage/errors';
import { MlflowCredentials, mlflowAuthHeaders } from '../mlflowAuth';

/**
 * An answer of MLflow's REST API; `errorCode` is MLflow's error_code on a refusal.
 *
 * @public
 */
export type MlflowAnswer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; errorCode?: string; message: string };

const CLOSED_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

function causeCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } }).cause?.code;
}

/**
 * MLflow's REST API, as the portal's own MLflow user (`mlops.mlflow.username`) when MLflow asks
 * for credentials.
 *
 * @public
 */
export class MlflowRestClient {
  constructor(
    readonly trackingUrl: string,
    private readonly credentials?: MlflowCredentials,
  ) {}

  /**
   * One REST call: a JSON body for POST, PATCH and DELETE, query parameters for GET. MLflow's
   * refusals come back as answers; only an unreachable MLflow throws.
   */
  async call<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<MlflowAnswer<T>> {
    const query =
      method === 'GET'
        ? `?${new URLSearchParams(params as Record<string, string>)}`
        : '';
    const send = () =>
      fetch(`${this.trackingUrl}${path}${query}`, {
        method,
        headers: {
          ...mlflowAuthHeaders(this.credentials),
          ...(method !== 'GET' && { 'Content-Type': 'application/json' }),
        },
        body: method === 'GET' ? undefined : JSON.stringify(params),
        signal: AbortSignal.timeout(10_000),
      });
    let response: Response;
    try {
      response = await send().catch(async error => {
        // A kept-alive connection that MLflow closed just as it was reused: send once more, on a
        // new connection.
        if (!CLOSED_CONNECTION.has(causeCode(error) ?? '')) throw error;
        await new Promise(r => setTimeout(r, 100));
        return send();
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} is unreachable: ${
          causeCode(error) ?? error
        }`,
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      return {
        ok: true,
        status: response.status,
        body: (text ? JSON.parse(text) : {}) as T,
      };
    }
    let errorCode: string | undefined;
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as {
        error_code?: string;
        message?: string;
      };
      errorCode = parsed.error_code;
      message = String(parsed.message ?? '').slice(0, 300);
    } catch {
      // Not MLflow's JSON error (e.g. "Permission denied" in plain text).
    }
    return { ok: false, status: response.status, errorCode, message };
  }
}
