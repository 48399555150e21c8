import { MetricSeries } from '@internal/backstage-plugin-experiments-common';

/** The metrics the training runtime logs once per epoch, with the epoch (from 1) as the step. */
export const EPOCH_CURVE_KEYS = [
  'train_loss',
  'test_loss',
  'train_accuracy',
  'test_accuracy',
];

/** One point of the training curves: the epoch and each metric's value at it. */
export type MetricRow = { epoch: number } & Record<string, number>;

/**
 * Turns MLflow's per-metric series into one row per epoch (the metric step), as charts want them.
 * Only the epoch curves count: run-level metrics such as final_test_accuracy have no epoch.
 * An epoch missing a metric simply lacks that key.
 */
export function metricRows(series: MetricSeries[]): MetricRow[] {
  const rows = new Map<number, MetricRow>();
  for (const { key, points } of series) {
    if (!EPOCH_CURVE_KEYS.includes(key)) continue;
    for (const { step, value } of points) {
      const row = rows.get(step) ?? ({ epoch: step } as MetricRow);
      row[key] = value;
      rows.set(step, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.epoch - b.epoch);
}

/** How many epochs have reported a curve metric so far. */
export function completedEpochs(series: MetricSeries[]): number {
  return metricRows(series).length;
}

/** The last value of a metric, e.g. final_test_accuracy once the run has evaluated its model. */
export function lastValue(
  series: MetricSeries[],
  key: string,
): number | undefined {
  return series.find(s => s.key === key)?.points.at(-1)?.value;
}
