import {
  DriftReport,
  PredictionDrift,
} from '@internal/backstage-plugin-drift-common';
import { formatSmallNumber } from '../formatValues';

/** The fewest inputs a check tests (mlops_runtime.drift_check's minInstances, not configurable here). */
export const MIN_INSTANCES = 30;

function notEnoughData(report: DriftReport): string {
  if (report.method === 'none') {
    return `Not enough data: no version of ${
      report.modelName ?? 'the model'
    } answered a request in the window.`;
  }
  const instances = report.window.instances ?? 0;
  const inputs = instances === 1 ? 'input' : 'inputs';
  return `Not enough data: ${instances} ${inputs} in the window, need ${MIN_INSTANCES}.`;
}

function imageTests(report: DriftReport): string {
  const n = report.tests.length;
  const rejected = report.tests.filter(t => t.drifted).length;
  const threshold = report.tests[0]?.threshold ?? report.alpha / n;
  const level = `α/${n} = ${formatSmallNumber(threshold)}`;
  return report.verdict === 'DRIFT'
    ? `Drift detected: ${rejected} of ${n} tests (class probabilities, input statistics) rejected at ${level}.`
    : `No drift: none of the ${n} tests (class probabilities, input statistics) rejected at ${level}.`;
}

function featureTests(report: DriftReport): string {
  const n = report.tests.length;
  const drifted = report.tests.filter(t => t.drifted).length;
  const share = n ? Math.round((drifted / n) * 100) : 0;
  if (report.verdict === 'DRIFT') {
    return `Drift detected: ${drifted} of ${n} features drifted (${share} %).`;
  }
  return drifted === 0
    ? `No drift: none of the ${n} features drifted.`
    : `No drift: ${drifted} of ${n} features drifted (${share} %), fewer than it takes to call drift.`;
}

/** The verdict of a report in one plain sentence, with the numbers behind it. */
export function verdictSentence(report: DriftReport): string {
  if (report.verdict === 'NOT_ENOUGH_DATA') return notEnoughData(report);
  if (report.method === 'bbsd-ks') return imageTests(report);
  return featureTests(report);
}

/** What the test of the predicted classes says: "The predicted classes shifted (χ², p = 3e-7)." */
export function predictionSentence(prediction: PredictionDrift): string {
  if (!prediction) return '';
  const p = `χ² test, p = ${formatSmallNumber(prediction.pValue)}`;
  return prediction.drifted
    ? `The shares of the predicted classes shifted too (${p}).`
    : `The shares of the predicted classes held (${p}).`;
}
