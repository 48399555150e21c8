import { formatBytes } from '../formatBytes';
import { ChartUnit } from './chartTypes';

/** Few digits: "42", "3.1", "0.052"; whole numbers stay whole. */
function shortNumber(value: number): string {
  const size = Math.abs(value);
  if (Number.isInteger(value) || size >= 10) return value.toFixed(0);
  if (size >= 1) return String(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(2)));
}

function formatSeconds(seconds: number): string {
  if (Math.abs(seconds) < 120) return `${shortNumber(seconds)} s`;
  if (Math.abs(seconds) < 7200) return `${shortNumber(seconds / 60)} min`;
  return `${shortNumber(seconds / 3600)} h`;
}

/**
 * How a value of the unit reads on an axis and in a tooltip: "42 %", "1.2 GiB", "3.1/s", "12 s".
 *
 * @public
 */
export function formatChartValue(unit: ChartUnit, value: number): string {
  switch (unit) {
    case 'percent':
      return `${shortNumber(value)} %`;
    case 'ratio':
      return `${shortNumber(value * 100)} %`;
    case 'bytes':
      return formatBytes(Math.round(value));
    case 'perSecond':
      return `${shortNumber(value)}/s`;
    case 'seconds':
      return formatSeconds(value);
    case 'count':
    default:
      return shortNumber(value);
  }
}
