import { ResolvedAutoTune, TuneTrial } from './tune';

/**
 * The best value of the tune's metric that a trial reported in any epoch (highest for max, lowest
 * for min); undefined before its first epoch.
 *
 * @public
 */
export function bestTrialValue(
  trial: Pick<TuneTrial, 'history'>,
  autoTune: Pick<ResolvedAutoTune, 'metric' | 'mode'>,
): number | undefined {
  const values = trial.history
    .map(epoch => epoch.metrics[autoTune.metric])
    .filter((v): v is number => typeof v === 'number');
  if (values.length === 0) return undefined;
  return autoTune.mode === 'max' ? Math.max(...values) : Math.min(...values);
}
