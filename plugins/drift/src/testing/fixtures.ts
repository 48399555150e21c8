import { ResponseError } from '@backstage/errors';
import {
  DriftCheck,
  DriftClient,
  DriftMonitor,
  DriftReport,
  DriftTest,
} from '@internal/backstage-plugin-drift-common';
import {
  ModelDeployment,
  ServingClient,
} from '@internal/backstage-plugin-serving-common';

export const MONITOR_ID = '5b1e0c3a-7d2f-4c19-9a1e-2f3b4c5d6e7f';
export const DEPLOYMENT_ID = '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e';

/** A 2×2 grey PNG, as the drift check encodes an input image. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADElEQVR4nGNg+A+EAAYAAf+T0eSJAAAAAElFTkSuQmCC';

export function aDeployment(
  overrides: Partial<ModelDeployment> = {},
): ModelDeployment {
  return {
    id: DEPLOYMENT_ID,
    name: 'mnist-prod',
    owner: 'group:default/data-science',
    modelName: 'mnist-cnn',
    modelVersion: '3',
    cluster: 'local',
    state: 'HEALTHY',
    endpoint: 'http://127.0.0.1:8000/mnist-prod',
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:05:00.000Z',
    versions: [{ version: '3', weight: 100 }],
    ...overrides,
  };
}

export function aCheck(overrides: Partial<DriftCheck> = {}): DriftCheck {
  return {
    id: 'check-2',
    monitorId: MONITOR_ID,
    status: 'SUCCEEDED',
    trigger: 'manual',
    requestedBy: 'user:default/ada',
    startedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: '2026-12-04T10:00:42.000Z',
    verdict: 'DRIFT',
    modelVersion: '3',
    instances: 500,
    driftScore: 0.4,
    estimatedAccuracy: 0.71,
    ...overrides,
  };
}

export function aMonitor(overrides: Partial<DriftMonitor> = {}): DriftMonitor {
  return {
    id: MONITOR_ID,
    name: 'mnist-prod-drift',
    owner: 'group:default/data-science',
    deploymentId: DEPLOYMENT_ID,
    deploymentName: 'mnist-prod',
    modelName: 'mnist-cnn',
    cluster: 'local',
    window: { lastRequests: 500 },
    intervalMinutes: 30,
    alpha: 0.05,
    createdBy: 'user:default/ada',
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    lastCheck: aCheck(),
    ...overrides,
  };
}

/** KS tests of the ten class probabilities: classes 3, 5, 7 and 8 rejected at 0.05/10. */
function classProbabilityTests(): DriftTest[] {
  const drifted = new Set([3, 5, 7, 8]);
  return Array.from({ length: 10 }, (_, digit) => ({
    name: `p(class ${digit})`,
    kind: 'ks',
    statistic: drifted.has(digit) ? 0.31 : 0.04,
    pValue: drifted.has(digit) ? 1e-9 * (digit + 1) : 0.3 + digit / 100,
    threshold: 0.005,
    drifted: drifted.has(digit),
    histogram: {
      edges: [0, 0.25, 0.5, 0.75, 1],
      reference: [0.7, 0.1, 0.1, 0.1],
      current: drifted.has(digit) ? [0.3, 0.3, 0.2, 0.2] : [0.7, 0.1, 0.1, 0.1],
    },
  }));
}

/** The report of an image model whose window drifted (black-box shift detection). */
export function aDriftReport(
  overrides: Partial<DriftReport> = {},
): DriftReport {
  const classes = Array.from({ length: 10 }, (_, digit) => String(digit));
  return {
    verdict: 'DRIFT',
    method: 'bbsd-ks',
    modelName: 'mnist-cnn',
    modelVersion: '3',
    window: {
      requests: 500,
      instances: 500,
      from: '2026-12-04T09:00:00.000Z',
      to: '2026-12-04T09:59:00.000Z',
    },
    referenceInstances: 10000,
    alpha: 0.05,
    driftScore: 0.4,
    tests: classProbabilityTests(),
    prediction: {
      classes,
      reference: classes.map(() => 0.1),
      current: [0.05, 0.05, 0.05, 0.3, 0.05, 0.2, 0.05, 0.1, 0.1, 0.05],
      statistic: 180.2,
      pValue: 3.2e-7,
      drifted: true,
    },
    accuracy: { estimated: 0.71, reference: 0.98, method: 'atc' },
    driftedSamples: [
      {
        requestId: 'req-17',
        ts: '2026-12-04T09:12:00.000Z',
        predicted: '3',
        confidence: 0.41,
        image: TINY_PNG,
      },
      {
        requestId: 'req-23',
        ts: '2026-12-04T09:14:00.000Z',
        predicted: '5',
        confidence: 0.44,
        image: TINY_PNG,
      },
    ],
    durationS: 4.2,
    ...overrides,
  };
}

/** The report of a window like the reference: no test rejected. */
export function aQuietReport(): DriftReport {
  const report = aDriftReport();
  return {
    ...report,
    verdict: 'NO_DRIFT',
    driftScore: 0,
    tests: report.tests.map(t => ({
      ...t,
      pValue: 0.4,
      drifted: false,
    })),
    prediction: report.prediction && {
      ...report.prediction,
      current: report.prediction.reference,
      pValue: 0.9,
      drifted: false,
    },
    accuracy: { estimated: 0.97, reference: 0.98, method: 'atc' },
    driftedSamples: [],
  };
}

/** The drifted check whose window had 100 labelled inputs: real accuracy 69 %. */
export function aLabelledCheckWithReport(): DriftCheck {
  const report = aDriftReport();
  return aCheck({
    realAccuracy: 0.69,
    report: {
      ...report,
      accuracy: { ...report.accuracy, real: 0.69, labelled: 100 },
    },
  });
}

/** The drifted check with its report, as getCheck answers. */
export function aDriftCheckWithReport(): DriftCheck {
  return aCheck({ report: aDriftReport() });
}

/** An older check that found no drift. */
export function aQuietCheck(overrides: Partial<DriftCheck> = {}): DriftCheck {
  return aCheck({
    id: 'check-1',
    trigger: 'schedule',
    requestedBy: undefined,
    startedAt: '2026-12-04T09:30:00.000Z',
    finishedAt: '2026-12-04T09:30:40.000Z',
    verdict: 'NO_DRIFT',
    driftScore: 0,
    estimatedAccuracy: 0.97,
    ...overrides,
  });
}

/** An answer of a backend refusing a request, as the clients throw it. */
export function apiRefusal(
  status: number,
  message: string,
): Promise<ResponseError> {
  const body = JSON.stringify({
    error: { name: 'InputError', message },
    request: { method: 'POST', url: '/' },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    status,
    statusText: 'Bad Request',
    headers: new Map([['content-type', 'application/json']]),
    text: async () => body,
  } as unknown as Response);
}

/** A DriftClient whose every method is a jest mock; `overrides` replace some. */
export function fakeDriftApi(
  overrides: Partial<Record<keyof DriftClient, jest.Mock>> = {},
) {
  const monitor = aMonitor();
  const mocks = {
    listMonitors: jest.fn(async () => ({ items: [monitor] })),
    getMonitor: jest.fn(async () => monitor),
    createMonitor: jest.fn(async () => monitor),
    deleteMonitor: jest.fn(async () => undefined),
    listChecks: jest.fn(async () => ({ items: [aCheck(), aQuietCheck()] })),
    runCheck: jest.fn(),
    addLabels: jest.fn(async (_monitorId: string, labels: unknown[]) => ({
      stored: labels.length,
      total: labels.length,
    })),
    getCheck: jest.fn(async (_monitorId: string, checkId: string) =>
      checkId === 'check-1'
        ? aQuietCheck({ report: aQuietReport() })
        : aDriftCheckWithReport(),
    ),
    getStatus: jest.fn(async () => ({
      pluginId: 'drift',
      checkedAt: '2026-12-04T10:00:00.000Z',
      dependencies: [],
    })),
    ...overrides,
  };
  return { api: mocks as unknown as DriftClient, mocks };
}

/** The serving API as the "New monitor" dialog uses it: the team's deployments. */
export function fakeServingApi(
  deployments: ModelDeployment[] = [aDeployment()],
) {
  const listDeployments = jest.fn(async () => ({ items: deployments }));
  return {
    api: { listDeployments } as unknown as ServingClient,
    listDeployments,
  };
}
