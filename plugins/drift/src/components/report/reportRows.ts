import {
  DriftTest,
  Histogram,
  PredictionDrift,
} from '@internal/backstage-plugin-drift-common';
import { formatSmallNumber } from '../formatValues';

/** Values as percentages of their sum (counts and fractions alike). */
export function toPercentages(values: number[]): number[] {
  const total = values.reduce((sum, v) => sum + v, 0);
  return values.map(v => (total > 0 ? (v / total) * 100 : 0));
}

/**
 * A test's p-value as a bar from 1 down to it (never below the axis floor: a log axis has no 0);
 * `pValue` is the value told.
 */
export type PValueRow = {
  name: string;
  pValue: number;
  span: [number, number];
  drifted: boolean;
};

/** The bottom of the log axis: a decade below the smallest positive p-value or threshold. */
export function pValueAxisFloor(tests: DriftTest[]): number {
  const values = tests
    .flatMap(t => [t.pValue ?? 1, t.threshold])
    .filter(v => v > 0);
  const smallest = Math.min(1e-3, ...values);
  return Math.max(1e-300, 10 ** (Math.floor(Math.log10(smallest)) - 1));
}

/** The tests that have a p-value (the distance tests of tables have none). */
export function pValueRows(tests: DriftTest[], floor: number): PValueRow[] {
  return tests
    .filter(t => t.pValue !== undefined && t.pValue !== null)
    .map(t => ({
      name: t.name,
      pValue: t.pValue as number,
      span: [Math.max(t.pValue as number, floor), 1],
      drifted: t.drifted,
    }));
}

export type ComparisonRow = {
  label: string;
  reference: number;
  current: number;
};

/** Shares of each predicted class in the reference and in the window, in percent. */
export function predictionRows(
  prediction: NonNullable<PredictionDrift>,
): ComparisonRow[] {
  const reference = toPercentages(prediction.reference);
  const current = toPercentages(prediction.current);
  return prediction.classes.map((label, i) => ({
    label,
    reference: reference[i] ?? 0,
    current: current[i] ?? 0,
  }));
}

/** A histogram's bins ("0.2–0.3") or categories with both samples' shares, in percent. */
export function histogramRows(histogram: Histogram): ComparisonRow[] {
  const reference = toPercentages(histogram.reference);
  const current = toPercentages(histogram.current);
  const { edges, categories } = histogram;
  const labels = categories?.length
    ? categories
    : reference.map((_, i) =>
        edges && edges.length > i + 1
          ? `${formatSmallNumber(edges[i])}–${formatSmallNumber(edges[i + 1])}`
          : String(i + 1),
      );
  return labels.map((label, i) => ({
    label,
    reference: reference[i] ?? 0,
    current: current[i] ?? 0,
  }));
}

/** The drifted tests that carry a histogram to draw. */
export function driftedHistograms(
  tests: DriftTest[],
): Array<{ name: string; histogram: Histogram }> {
  return tests.flatMap(t =>
    t.drifted && t.histogram && t.histogram.reference?.length
      ? [{ name: t.name, histogram: t.histogram }]
      : [],
  );
}
