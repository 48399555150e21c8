import { formatChartValue } from '@internal/mlops-react';

/** A share of 0..1 as a percentage: "71 %"; "—" when unknown. */
export function formatShare(value: number | null | undefined): string {
  return value === undefined || value === null
    ? '—'
    : formatChartValue('ratio', value);
}

/** A whole number with thousands separators: "2,500". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A count with its noun: "1 label", "2,500 labels". */
export function countOf(
  count: number,
  singular: string,
  plural = `${singular}s`,
): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

/** A small number such as a p-value or a threshold, in few digits: "0.005", "3.2e-7". */
export function formatSmallNumber(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) < 1e-4) return String(Number(value.toExponential(1)));
  return String(Number(value.toPrecision(2)));
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How long ago an ISO time was: "5 minutes ago", "yesterday", "now". */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const elapsed = Date.parse(iso) - now;
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) {
      return format.format(Math.round(elapsed / ms), unit);
    }
  }
  return 'just now';
}

/** How long a check took: "42 s", "3 min"; "—" while it runs. */
export function checkDuration(check: {
  startedAt: string;
  finishedAt?: string;
}): string {
  if (!check.finishedAt) return '—';
  const seconds =
    (Date.parse(check.finishedAt) - Date.parse(check.startedAt)) / 1000;
  return formatChartValue('seconds', Math.max(0, seconds));
}
