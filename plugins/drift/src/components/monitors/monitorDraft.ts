import { CreateMonitorRequest } from '@internal/backstage-plugin-drift-common';

/** The "New monitor" form as typed: strings, converted once valid. */
export type MonitorDraft = {
  deploymentId: string;
  name: string;
  windowKind: 'lastRequests' | 'lastMinutes';
  windowSize: string;
  schedule: 'onDemand' | 'every';
  intervalMinutes: string;
  alpha: string;
};

export type MonitorField = keyof MonitorDraft;

export const emptyMonitorDraft: MonitorDraft = {
  deploymentId: '',
  name: '',
  windowKind: 'lastRequests',
  windowSize: '500',
  schedule: 'onDemand',
  intervalMinutes: '60',
  alpha: '0.05',
};

// Same rules as the backend's CreateMonitorRequest and DriftWindow schemas.
const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const WINDOW_LIMITS: Record<MonitorDraft['windowKind'], [number, number]> = {
  lastRequests: [10, 100_000],
  lastMinutes: [1, 43_200],
};
const INTERVAL_LIMITS: [number, number] = [5, 10_080];
const SUFFIX = '-drift';

/** The default monitor name of a deployment: "mnist-prod" → "mnist-prod-drift". */
export function monitorNameFor(deploymentName: string): string {
  return `${deploymentName.slice(0, 63 - SUFFIX.length)}${SUFFIX}`;
}

function wholeNumberIn(value: string, [min, max]: [number, number]) {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) return 'A number is needed';
  if (!Number.isInteger(n)) return 'A whole number is needed';
  if (n < min || n > max) return `From ${min} to ${max}`;
  return undefined;
}

/** What is wrong with the draft, per field; empty when it can be submitted. */
export function monitorDraftProblems(
  draft: MonitorDraft,
): Partial<Record<MonitorField, string>> {
  const problems: Partial<Record<MonitorField, string>> = {};
  if (!draft.deploymentId) problems.deploymentId = 'Pick a deployment';
  if (!SLUG.test(draft.name)) {
    problems.name =
      'Lowercase letters, digits and dashes, at most 63, starting and ending with a letter or digit';
  }
  const windowProblem = wholeNumberIn(
    draft.windowSize,
    WINDOW_LIMITS[draft.windowKind],
  );
  if (windowProblem) problems.windowSize = windowProblem;
  if (draft.schedule === 'every') {
    const intervalProblem = wholeNumberIn(
      draft.intervalMinutes,
      INTERVAL_LIMITS,
    );
    if (intervalProblem) problems.intervalMinutes = intervalProblem;
  }
  const alpha = Number(draft.alpha);
  if (
    draft.alpha.trim() === '' ||
    !Number.isFinite(alpha) ||
    alpha <= 0 ||
    alpha > 0.5
  ) {
    problems.alpha = 'A significance level above 0 and at most 0.5';
  }
  return problems;
}

export function requestFromMonitorDraft(
  draft: MonitorDraft,
): CreateMonitorRequest {
  return {
    name: draft.name,
    deploymentId: draft.deploymentId,
    window: { [draft.windowKind]: Number(draft.windowSize) },
    ...(draft.schedule === 'every'
      ? { intervalMinutes: Number(draft.intervalMinutes) }
      : {}),
    alpha: Number(draft.alpha),
  };
}
