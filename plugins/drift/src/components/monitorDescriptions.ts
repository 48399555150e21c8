import {
  DriftMonitor,
  DriftWindow,
} from '@internal/backstage-plugin-drift-common';

/** Which requests a check reads: "last 500 requests" or "last 60 minutes". */
export function describeWindow(window: DriftWindow): string {
  if (window.lastRequests !== undefined) {
    return `last ${window.lastRequests} requests`;
  }
  if (window.lastMinutes !== undefined) {
    return `last ${window.lastMinutes} minutes`;
  }
  return '—';
}

/** When checks run: "every 30 min" or "on demand". */
export function describeSchedule(
  monitor: Pick<DriftMonitor, 'intervalMinutes'>,
): string {
  return monitor.intervalMinutes
    ? `every ${monitor.intervalMinutes} min`
    : 'on demand';
}

/** What a running check reads, for its progress line: "checking 500 requests…". */
export function describeCheckInProgress(window: DriftWindow): string {
  if (window.lastRequests !== undefined) {
    return `checking ${window.lastRequests} requests…`;
  }
  if (window.lastMinutes !== undefined) {
    return `checking the requests of the last ${window.lastMinutes} minutes…`;
  }
  return 'checking…';
}
