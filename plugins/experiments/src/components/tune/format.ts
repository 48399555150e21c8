import { JsonValue } from '@backstage/types';

/** A hyperparameter value for a table cell: floats to 3 significant digits. */
export function formatValue(value: JsonValue | undefined): string {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return Number(value.toPrecision(3)).toString();
  }
  if (value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A metric value: accuracies as percentages, losses as numbers. */
export function formatMetric(metric: string, value: number | undefined) {
  if (value === undefined) return '—';
  return metric.endsWith('accuracy')
    ? `${(100 * value).toFixed(2)}%`
    : value.toFixed(4);
}
