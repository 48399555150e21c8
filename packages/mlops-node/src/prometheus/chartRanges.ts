/**
 * The time windows the portal's charts offer.
 *
 * @public
 */
export type ChartWindowName = '15m' | '1h' | '6h' | '24h';

/** @public */
export type ChartRange = { start: Date; end: Date; stepSeconds: number };

/** Each window's length and step: about 180 points per series. */
const WINDOWS: Record<
  ChartWindowName,
  { seconds: number; stepSeconds: number }
> = {
  '15m': { seconds: 15 * 60, stepSeconds: 5 },
  '1h': { seconds: 3600, stepSeconds: 20 },
  '6h': { seconds: 6 * 3600, stepSeconds: 120 },
  '24h': { seconds: 24 * 3600, stepSeconds: 480 },
};

/**
 * The range of a window ending at `now`.
 *
 * @public
 */
export function windowRange(
  window: ChartWindowName,
  now = new Date(),
): ChartRange {
  const { seconds, stepSeconds } = WINDOWS[window];
  return {
    start: new Date(now.getTime() - seconds * 1000),
    end: now,
    stepSeconds,
  };
}

/**
 * A range of about 180 steps from `start` to `end`, at least 5 s (the scrape interval) apart.
 *
 * @public
 */
export function rangeBetween(start: Date, end: Date): ChartRange {
  const seconds = Math.max(0, (end.getTime() - start.getTime()) / 1000);
  return { start, end, stepSeconds: Math.max(5, Math.ceil(seconds / 180)) };
}

/**
 * The seconds each point of a rate looks back at a step: at least four scrapes (5 s apart),
 * however small the step.
 *
 * @public
 */
export function rateSeconds(stepSeconds: number): number {
  return Math.max(20, stepSeconds * 2);
}

/**
 * PromQL: how much each series of a counter grew over the last `seconds`, counting a series
 * that appeared meanwhile from zero. Prometheus's `rate()` and `increase()` need two samples of a
 * series, so they miss the first requests of a new replica, whose counter first shows up at 1:
 * the single request someone sends to try a deployment would never show. A replica's restart is a
 * new series (its `replica` label changes), never a reset of an old one.
 *
 * @public
 */
export function counterGrowth(selector: string, seconds: number): string {
  return `(clamp_min(${selector} - ${selector} offset ${seconds}s, 0) or ${selector})`;
}
