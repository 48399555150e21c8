/**
 * Outcome of a drift check.
 *
 * @public
 */
export type DriftResult = 'NO_DRIFT' | 'DRIFT' | 'ERROR';

/**
 * A drift monitor: compares a deployment's inference traffic with its reference profile on a
 * schedule.
 *
 * @public
 */
export type DriftMonitor = {
  id: string;
  name: string;
  /** Entity ref of the owning team. */
  owner: string;
  /** Name of the monitored deployment. */
  deployment: string;
  /** Cron expression of the scheduled checks; checks run on demand only without one. */
  schedule?: string;
  lastCheckAt?: string;
  lastResult?: DriftResult;
  createdAt: string;
  updatedAt: string;
};
