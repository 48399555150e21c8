import { ServiceUnavailableError } from '@backstage/errors';
import {
  ChartWindowName,
  PrometheusClient,
  PrometheusSeries,
  promqlString,
  rateRange,
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
  const selector = `{${match}}`;
  const range = rateRange(stepSeconds);
  const requests = `ray_mlops_inference_requests_total${selector}`;
  const latency = (q: number) =>
    `histogram_quantile(${q}, sum by (model_version, le) (rate(ray_mlops_inference_latency_ms_bucket${selector}${range})))`;
  return {
    requestRate: `sum by (model_version, code) (rate(${requests}${range}))`,
    latencyP50Ms: latency(0.5),
    latencyP99Ms: latency(0.99),
    errorRatio: `sum by (model_version) (rate(ray_mlops_inference_requests_total{${match},code="5xx"}${range})) / sum by (model_version) (rate(${requests}${range}))`,
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
