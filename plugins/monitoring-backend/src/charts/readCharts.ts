import { ServiceUnavailableError } from '@backstage/errors';
import { ChartRange, PrometheusClient } from '@internal/mlops-node';
import { Charts } from '@internal/backstage-plugin-monitoring-common';
import { ChartQuery } from './chartQueries';

/** Runs the charts' queries over the range, in parallel. */
export async function readCharts(
  prometheus: PrometheusClient | undefined,
  queries: ChartQuery[],
  range: ChartRange,
): Promise<Charts> {
  if (!prometheus) {
    throw new ServiceUnavailableError(
      'Monitoring is not configured: set mlops.monitoring.prometheus.baseUrl to a Prometheus that scrapes the Ray clusters and the backend',
    );
  }
  const charts = await Promise.all(
    queries.map(async ({ query, seriesName, ...chart }) => {
      const series =
        range.end > range.start
          ? await prometheus.queryRange(query, range)
          : [];
      return {
        ...chart,
        series: series.map(({ labels, points }) => ({
          name: seriesName(labels),
          points: points.map(([t, v]) => ({ t: t * 1000, v })),
        })),
      };
    }),
  );
  return { ...range, charts };
}
