import { ServiceUnavailableError } from '@backstage/errors';
import { MetricSeries } from '@internal/backstage-plugin-experiments-common';

type MlflowMetric = {
  key: string;
  value: number | string;
  timestamp: number | string;
  step?: number | string;
};

/** The few MLflow tracking REST calls the job page needs. */
export class MlflowClient {
  constructor(private readonly trackingUrl: string) {}

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

  private async get<T>(path: string, query: Record<string, string>) {
    const url = `${this.trackingUrl}${path}?${new URLSearchParams(query)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} is unreachable: ${
          (error as { cause?: { code?: string } }).cause?.code ?? error
        }`,
      );
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} answered HTTP ${
          response.status
        } for ${path}: ${text.slice(0, 300)}`,
      );
    }
    return (await response.json()) as T;
  }
}
