import { LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import { MonitorsByLastCheck } from './database';

/**
 * What a finished check found: its verdict, or FAILED when it produced none. A small fixed set,
 * so the label never grows with monitors, models or teams.
 */
export type DriftCheckResult =
  | 'DRIFT'
  | 'NO_DRIFT'
  | 'NOT_ENOUGH_DATA'
  | 'FAILED';

/** A monitor's state for the gauge: its last finished check's result, or NONE before any. */
export type DriftMonitorState = DriftCheckResult | 'NONE';

const RESULTS: DriftCheckResult[] = [
  'DRIFT',
  'NO_DRIFT',
  'NOT_ENOUGH_DATA',
  'FAILED',
];
const STATES: DriftMonitorState[] = [...RESULTS, 'NONE'];

/** Seconds; a check is a Ray job that starts Python, reads the log and loads the reference. */
const DURATION_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

export function checkResult(
  check: Pick<DriftCheck, 'status' | 'verdict'>,
): DriftCheckResult | undefined {
  if (check.status === 'FAILED') return 'FAILED';
  if (check.status === 'SUCCEEDED') return check.verdict ?? 'FAILED';
  return undefined;
}

/**
 * The drift plugin's metrics, through the MetricsService (the backend's Prometheus exporter
 * serves them):
 *
 * - mlops_drift_checks_total{result}: checks finished, by result, counted by the replica that
 *   finished each one
 * - mlops_drift_check_duration_seconds: from a check's start to its end
 * - mlops_drift_monitors{state}: monitors by their last finished check's result, read from the
 *   database on each scrape (every replica reports the same numbers: aggregate with max)
 */
export class DriftMetrics {
  private readonly checks;
  private readonly duration;

  constructor(
    metrics: MetricsService,
    countMonitors: () => Promise<MonitorsByLastCheck>,
    logger?: LoggerService,
  ) {
    this.checks = metrics.createCounter<{ result: DriftCheckResult }>(
      'mlops_drift_checks_total',
      { description: 'Drift checks finished, by result' },
    );
    this.duration = metrics.createHistogram(
      'mlops_drift_check_duration_seconds',
      {
        description: "Time from a drift check's start to its end",
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      },
    );
    // Every series exists from the start, so that rate() and increase() see the first check.
    for (const result of RESULTS) this.checks.add(0, { result });

    const monitors = metrics.createObservableGauge<{ state: string }>(
      'mlops_drift_monitors',
      { description: "Drift monitors by their last finished check's result" },
    );
    monitors.addCallback(async observe => {
      let counts;
      try {
        counts = await countMonitors();
      } catch (error) {
        logger?.debug(`Metrics: could not count drift monitors: ${error}`);
        return;
      }
      const byState = new Map<DriftMonitorState, number>();
      let checked = 0;
      for (const { monitors: count, ...outcome } of counts.lastChecks) {
        const state = checkResult(outcome) ?? 'FAILED';
        byState.set(state, (byState.get(state) ?? 0) + count);
        checked += count;
      }
      byState.set('NONE', counts.monitors - checked);
      for (const state of STATES) {
        observe.observe(byState.get(state) ?? 0, { state });
      }
    });
  }

  /** Counts a check that has just ended. */
  checkFinished(check: DriftCheck): void {
    const result = checkResult(check);
    if (!result) return;
    this.checks.add(1, { result });
    if (check.finishedAt) {
      const seconds =
        (Date.parse(check.finishedAt) - Date.parse(check.startedAt)) / 1000;
      if (seconds >= 0) this.duration.record(seconds);
    }
  }
}
