import { ServiceUnavailableError } from '@backstage/errors';
import { MetricSeries } from '@internal/backstage-plugin-experiments-common';
import { MlflowRestClient } from '@internal/mlops-node';

type MlflowMetric = {
  key: string;
  value: number | string;
  timestamp: number | string;
  step?: number | string;
};

/** MLflow's REST API (the shared {@link MlflowRestClient}) with the reads of run pages. */
export class MlflowClient extends MlflowRestClient {
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
    const answer = await this.call<T>('GET', path, query);
    if (!answer.ok) {
      throw new ServiceUnavailableError(
        `MLflow at ${this.trackingUrl} answered HTTP ${answer.status} for ${path}: ${answer.message}`,
      );
    }
    return answer.body;
  }
}
