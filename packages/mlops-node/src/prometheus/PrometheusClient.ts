import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';

/**
 * One time series of a range query: its labels and its points, oldest first.
 *
 * @public
 */
export type PrometheusSeries = {
  labels: Record<string, string>;
  /** [unix seconds, value]; NaN (e.g. a ratio over no requests) is dropped. */
  points: Array<[number, number]>;
};

/** @public */
export type PrometheusRange = {
  start: Date;
  end: Date;
  stepSeconds: number;
};

/**
 * One time series of an instant query: its labels and its latest value.
 *
 * @public
 */
export type PrometheusSample = {
  labels: Record<string, string>;
  value: number;
};

type QueryAnswer = {
  status: 'success' | 'error';
  error?: string;
  data?: {
    resultType: string;
    result: {
      metric: Record<string, string>;
      values?: [number, string][];
      value?: [number, string];
    }[];
  };
};

/**
 * Quotes a value for a PromQL label matcher (`label="value"`), so that user-chosen names can never
 * widen a query.
 *
 * @public
 */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * Prometheus's HTTP query API (`mlops.monitoring.prometheus.baseUrl`). The portal builds every
 * query itself from resources the caller may read; it is never a proxy for queries from users.
 *
 * @public
 */
export class PrometheusClient {
  static fromConfig(config: Config): PrometheusClient | undefined {
    const baseUrl = config.getOptionalString(
      'mlops.monitoring.prometheus.baseUrl',
    );
    return baseUrl
      ? new PrometheusClient(baseUrl.replace(/\/+$/, ''))
      : undefined;
  }

  constructor(readonly baseUrl: string) {}

  /** Throws ServiceUnavailableError when Prometheus cannot be reached or refuses the query. */
  async queryRange(
    query: string,
    range: PrometheusRange,
  ): Promise<PrometheusSeries[]> {
    const result = await this.ask('query_range', 'matrix', {
      query,
      start: String(range.start.getTime() / 1000),
      end: String(range.end.getTime() / 1000),
      step: String(range.stepSeconds),
    });
    return result.map(({ metric, values = [] }) => ({
      labels: metric,
      points: values
        .map(([time, value]): [number, number] => [time, Number(value)])
        .filter(([, value]) => Number.isFinite(value)),
    }));
  }

  /** The latest value of each series of an instant query; NaN values are dropped. */
  async query(query: string): Promise<PrometheusSample[]> {
    const result = await this.ask('query', 'vector', { query });
    return result
      .map(({ metric, value }) => ({
        labels: metric,
        value: Number(value?.[1]),
      }))
      .filter(sample => Number.isFinite(sample.value));
  }

  private async ask(
    endpoint: 'query' | 'query_range',
    resultType: string,
    form: Record<string, string>,
  ) {
    let answer: QueryAnswer;
    try {
      const response = await fetch(`${this.baseUrl}/api/v1/${endpoint}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(10_000),
      });
      answer = (await response.json()) as QueryAnswer;
    } catch (error) {
      throw new ServiceUnavailableError(
        `Prometheus is unreachable: ${(error as Error).message}`,
      );
    }
    if (answer.status !== 'success' || answer.data?.resultType !== resultType) {
      throw new ServiceUnavailableError(
        `Prometheus refused a query: ${
          answer.error ?? `not a ${resultType} answer`
        }`,
      );
    }
    return answer.data.result;
  }
}
