import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  DeploymentMetrics,
  MetricSeries,
  MetricsWindow,
} from '@internal/backstage-plugin-serving-common';
import { TimeSeries, TimeSeriesChart } from '@internal/mlops-react';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Switch from '@material-ui/core/Switch';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';

const REFRESH_MS = 15_000;
const WINDOWS: Array<{ value: MetricsWindow; label: string }> = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
];

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
  const [window, setWindow] = useState<MetricsWindow>('1h');
  const [autoRefresh, setAutoRefresh] = useState(true);
  const metrics = useAsyncRetry(
    () => api.getMetrics(props.deploymentId, window),
    [api, props.deploymentId, window],
  );
  useInterval(metrics.retry, autoRefresh ? REFRESH_MS : null);
  const action = (
    <>
      <FormControlLabel
        control={
          <Switch
            checked={autoRefresh}
            onChange={(_e, checked) => setAutoRefresh(checked)}
            color="primary"
          />
        }
        label="Auto-refresh"
      />
      <Select
        value={window}
        onChange={e => setWindow(e.target.value as MetricsWindow)}
        SelectDisplayProps={{ 'aria-label': 'Time range' } as object}
      >
        {WINDOWS.map(w => (
          <MenuItem key={w.value} value={w.value}>
            {w.label}
          </MenuItem>
        ))}
      </Select>
    </>
  );
  return (
    <InfoCard title="Traffic and latency" action={action}>
      {metrics.error && (
        <Alert severity="warning">
          Charts are not available: {apiErrorMessage(metrics.error)}
        </Alert>
      )}
      {metrics.value && <Charts metrics={metrics.value} />}
      {!metrics.value && !metrics.error && 'Loading…'}
    </InfoCard>
  );
}
