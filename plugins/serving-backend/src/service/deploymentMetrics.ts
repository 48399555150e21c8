import { ServiceUnavailableError } from '@backstage/errors';
import {
  ChartWindowName,
  counterGrowth,
  PrometheusClient,
  PrometheusSeries,
  promqlString,
  rateSeconds,
  windowRange,
} from '@internal/mlops-node';
import {
  DeploymentMetrics,
  MetricSeries,
} from '@internal/backstage-plugin-serving-common';

export type MetricsWindow = ChartWindowName;

/**
 * The PromQL of a deployment's charts, over the ingress's metrics (runtime
 * mlops_runtime/serve/metrics.py), which carry the portal's deployment id: every selector names
 * it, so a caller who may read the deployment sees its series and no other.
 */
export function deploymentQueries(
  deployment: { id: string },
  stepSeconds: number,
) {
  const match = `portal_deployment=${promqlString(deployment.id)}`;
  const seconds = rateSeconds(stepSeconds);
  const grown = (metric: string, extra = '') =>
    counterGrowth(`${metric}{${match}${extra}}`, seconds);
  const requests = grown('ray_mlops_inference_requests_total');
  const latency = (q: number) =>
    `histogram_quantile(${q}, sum by (model_version, le) (${grown(
      'ray_mlops_inference_latency_ms_bucket',
    )}))`;
  return {
    requestRate: `sum by (model_version, code) (${requests}) / ${seconds}`,
    latencyP50Ms: latency(0.5),
    latencyP99Ms: latency(0.99),
    // 0 rather than nothing for a version that answered without a server error.
    errorRatio: `(sum by (model_version) (${grown(
      'ray_mlops_inference_requests_total',
      ',code="5xx"',
    )}) or 0 * sum by (model_version) (${requests})) / sum by (model_version) (${requests})`,
  };
}

function toSeries(series: PrometheusSeries[]): MetricSeries[] {
  return series
    .map(({ labels, points }) => ({
      version: labels.model_version ?? 'none',
      ...(labels.code && { code: labels.code }),
      points: points.map(([t, v]) => ({ t: t * 1000, v })),
    }))
    .sort((a, b) =>
      `${a.version}/${a.code ?? ''}`.localeCompare(
        `${b.version}/${b.code ?? ''}`,
      ),
    );
}

/** The charts of one deployment over `window`, ending now. */
export async function readDeploymentMetrics(
  prometheus: PrometheusClient | undefined,
  deployment: { id: string },
  window: MetricsWindow,
  now = new Date(),
): Promise<DeploymentMetrics> {
  if (!prometheus) {
    throw new ServiceUnavailableError(
      'Monitoring is not configured: set mlops.monitoring.prometheus.baseUrl to a Prometheus that scrapes the Ray clusters',
    );
  }
  const range = windowRange(window, now);
  const queries = deploymentQueries(deployment, range.stepSeconds);
  const [requestRate, latencyP50Ms, latencyP99Ms, errorRatio] =
    await Promise.all(
      [
        queries.requestRate,
        queries.latencyP50Ms,
        queries.latencyP99Ms,
        queries.errorRatio,
      ].map(query => prometheus.queryRange(query, range)),
    );
  return {
    window,
    start: range.start,
    end: range.end,
    stepSeconds: range.stepSeconds,
    requestRate: toSeries(requestRate),
    latencyP50Ms: toSeries(latencyP50Ms),
    latencyP99Ms: toSeries(latencyP99Ms),
    errorRatio: toSeries(errorRatio),
  };
}
