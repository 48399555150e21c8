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
 * The range of a `rate()` at a step: at least four scrapes in every rate, however small the step.
 *
 * @public
 */
export function rateRange(stepSeconds: number): string {
  return `[${Math.max(20, stepSeconds * 2)}s]`;
}
