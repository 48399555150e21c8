import { TimeSeries } from '../components/TimeSeriesChart';

/**
 * How far back a chart reaches. The same set the serving and monitoring backends accept.
 *
 * @public
 */
export type ChartWindow = '15m' | '1h' | '6h' | '24h';

/** @public */
export const CHART_WINDOWS: ReadonlyArray<{
  value: ChartWindow;
  label: string;
}> = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
];

/**
 * How a chart's values read. `percent` values are already in 0..100; `ratio` values in 0..1.
 *
 * @public
 */
export type ChartUnit =
  | 'percent'
  | 'bytes'
  | 'count'
  | 'perSecond'
  | 'seconds'
  | 'ratio';

/**
 * One chart as the monitoring backend sends it. Declared here by shape, so this package does not
 * depend on the monitoring plugin; its `Chart` fits.
 *
 * @public
 */
export type ChartData = {
  id: string;
  title: string;
  unit: ChartUnit;
  series: TimeSeries[];
};

/**
 * Charts over one time range. `start` and `end` arrive as ISO 8601 strings in JSON.
 *
 * @public
 */
export type ChartSet = {
  start?: Date | string;
  end?: Date | string;
  stepSeconds?: number;
  charts: ChartData[];
};
