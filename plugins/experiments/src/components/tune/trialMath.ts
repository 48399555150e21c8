import {
  ResolvedAutoTune,
  TuneTrial,
} from '@internal/backstage-plugin-experiments-common';

export type BestSoFarPoint = { minutes: number; best: number; trialId: string };

/**
 * The best metric over all trials as the tune went on: one point per reported epoch that improved
 * on everything reported before it, in time order.
 */
export function bestSoFar(
  trials: TuneTrial[],
  autoTune: Pick<ResolvedAutoTune, 'metric' | 'mode'>,
): BestSoFarPoint[] {
  const reports = trials
    .flatMap(trial =>
      trial.history.map(epoch => ({
        seconds: epoch.elapsedSeconds,
        value: epoch.metrics[autoTune.metric],
        trialId: trial.trialId,
      })),
    )
    .filter(r => typeof r.value === 'number')
    .sort((a, b) => a.seconds - b.seconds);
  const points: BestSoFarPoint[] = [];
  for (const report of reports) {
    const last = points[points.length - 1];
    const better =
      !last ||
      (autoTune.mode === 'max'
        ? report.value > last.best
        : report.value < last.best);
    if (better) {
      points.push({
        minutes: report.seconds / 60,
        best: report.value,
        trialId: report.trialId,
      });
    }
  }
  return points;
}
