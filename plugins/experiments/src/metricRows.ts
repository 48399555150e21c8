import { MetricSeries } from '@internal/backstage-plugin-experiments-common';

/** One point of the training curves: the epoch and each metric's value at it. */
export type MetricRow = { epoch: number } & Record<string, number>;

/**
 * Turns MLflow's per-metric series into one row per epoch (the metric step), as charts want them.
 * An epoch missing a metric simply lacks that key.
 */
export function metricRows(series: MetricSeries[]): MetricRow[] {
  const rows = new Map<number, MetricRow>();
  for (const { key, points } of series) {
    for (const { step, value } of points) {
      const row = rows.get(step) ?? ({ epoch: step } as MetricRow);
      row[key] = value;
      rows.set(step, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.epoch - b.epoch);
}

/** How many epochs have reported a metric so far. */
export function completedEpochs(series: MetricSeries[]): number {
  return metricRows(series).length;
}
