import { useApi } from '@backstage/frontend-plugin-api';
import {
  DeploymentMetrics,
  MetricSeries,
  MetricsWindow,
} from '@internal/backstage-plugin-serving-common';
import {
  LiveChartsCard,
  TimeSeries,
  TimeSeriesChart,
} from '@internal/mlops-react';
import Grid from '@material-ui/core/Grid';
import { useCallback } from 'react';
import { servingApiRef } from '../../api';

function versionName(version: string) {
  return version === 'none' ? 'refused before a version' : `v${version}`;
}

/** Legend names: "v3", or "v3 4xx" for request rates by status class. */
export function toTimeSeries(series: MetricSeries[]): TimeSeries[] {
  return series.map(s => ({
    name: s.code
      ? `${versionName(s.version)} ${s.code}`
      : versionName(s.version),
    points: s.points,
  }));
}

const EMPTY =
  'No requests in this time range yet. Call the endpoint (Try it below): the charts fill in within half a minute.';

function Charts({ metrics }: { metrics: DeploymentMetrics }) {
  const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms`;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={6}>
        <TimeSeriesChart
          title="Requests per second"
          series={toTimeSeries(metrics.requestRate)}
          format={v => v.toFixed(2)}
          emptyText={EMPTY}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <TimeSeriesChart
          title="Server error ratio (5xx)"
          series={toTimeSeries(metrics.errorRatio)}
          format={v => `${(v * 100).toFixed(1)} %`}
          maxAtLeast={1}
          emptyText={EMPTY}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <TimeSeriesChart
          title="Latency p50"
          series={toTimeSeries(metrics.latencyP50Ms)}
          format={ms}
          emptyText={EMPTY}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <TimeSeriesChart
          title="Latency p99"
          series={toTimeSeries(metrics.latencyP99Ms)}
          format={ms}
          emptyText={EMPTY}
        />
      </Grid>
    </Grid>
  );
}

/** Live request rate, latency and errors of each version, from Prometheus: the canary view. */
export function MetricsCard(props: { deploymentId: string }) {
  const api = useApi(servingApiRef);
  const { deploymentId } = props;
  const load = useCallback(
    (window: MetricsWindow) => api.getMetrics(deploymentId, window),
    [api, deploymentId],
  );
  return (
    <LiveChartsCard<DeploymentMetrics> title="Traffic and latency" load={load}>
      {metrics => <Charts metrics={metrics} />}
    </LiveChartsCard>
  );
}
