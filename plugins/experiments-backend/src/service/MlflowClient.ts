import { ServiceUnavailableError } from '@backstage/errors';
import { MetricSeries } from '@internal/backstage-plugin-experiments-common';
import { MlflowCredentials, mlflowAuthHeaders } from '@internal/mlops-node';

type MlflowMetric = {
  key: string;
  value: number | string;
  timestamp: number | string;
  step?: number | string;
};

/** An answer of MLflow's REST API; `errorCode` is MLflow's error_code on a refusal. */
export type MlflowAnswer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; errorCode?: string; message: string };

/**
 * MLflow's REST API, as the portal's own MLflow user (`mlops.mlflow.username`) when MLflow asks
 * for credentials.
 */
export class MlflowClient {
  constructor(
    private readonly trackingUrl: string,
    private readonly credentials?: MlflowCredentials,
  ) {}

  /** Every metric of the run over its steps, keys sorted. */
  async getRunMetrics(runId: string): Promise<MetricSeries[]> {
    const run = await this.get<{
      run: { data: { metrics?: MlflowMetric[] } };
    }>('/api/2.0/mlflow/runs/get', { run_id: runId });
    const keys = [
      ...new Set((run.run.data.metrics ?? []).map(m => m.key)),
    ].sort();
    return Promise.all(
      keys.map(async key => {
        const history = await this.get<{ metrics?: MlflowMetric[] }>(
          '/api/2.0/mlflow/metrics/get-history',
          { run_id: runId, metric_key: key, max_results: '25000' },
        );
        const points = (history.metrics ?? [])
          .map(m => ({
            step: Number(m.step ?? 0),
            value: Number(m.value),
            timestamp: Number(m.timestamp),
          }))
          .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
        return { key, points };
      }),
    );
  }

  /**
   * One REST call: a JSON body for POST and PATCH, query parameters for GET. MLflow's refusals
   * come back as answers; only an unreachable MLflow throws.
   */
  async call<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<MlflowAnswer<T>> {
    const query =
      method === 'GET'
        ? `?${new URLSearchParams(params as Record<string, string>)}`
        : '';
    let response: Response;
    try {
      response = await fetch(`${this.trackingUrl}${path}${query}`, {
        method,
        headers: {
          ...mlflowAuthHeaders(this.credentials),
          ...(method !== 'GET' && { 'Content-Type': 'application/json' }),
        },
        body: method === 'GET' ? undefined : JSON.stringify(params),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} is unreachable: ${
          (error as { cause?: { code?: string } }).cause?.code ?? error
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

  private async get<T>(path: string, query: Record<string, string>) {
    const answer = await this.call<T>('GET', path, query);
    if (!answer.ok) {
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} answered HTTP ${answer.status} for ${path}: ${answer.message}`,
      );
    }
    return answer.body;
  }
}
