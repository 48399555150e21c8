import { ResponseError } from '@backstage/errors';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';
import {
  ApiKey,
  DeploymentMetrics,
  ModelDeployment,
  ModelDeploymentDetails,
  ServingClient,
} from '@internal/backstage-plugin-serving-common';

export const DEPLOYMENT_ID = '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e';

export function aDeployment(
  overrides: Partial<ModelDeploymentDetails> = {},
): ModelDeploymentDetails {
  return {
    id: DEPLOYMENT_ID,
    name: 'mnist-prod',
    owner: 'group:default/data-science',
    modelName: 'mnist-cnn',
    modelVersion: '3',
    cluster: 'local',
    state: 'HEALTHY',
    message: 'all 2 replicas are running',
    endpoint: 'http://127.0.0.1:8000/mnist-prod',
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:05:00.000Z',
    versions: [{ version: '3', weight: 100 }],
    scaling: { replicas: 1 },
    resources: { cpus: 1, gpus: 0 },
    createdBy: 'user:default/ada',
    ...overrides,
  };
}

export function summaryOf(d: ModelDeploymentDetails): ModelDeployment {
  const { scaling, resources, createdBy, ...summary } = d;
  return summary;
}

export function aKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'k1',
    name: 'checkout-service',
    createdBy: 'user:default/ada',
    createdAt: '2026-11-27T10:00:00.000Z',
    requestsPerSecond: 10,
    burst: 20,
    ...overrides,
  };
}

/** An answer of the backend refusing a request, as ServingClient throws it. */
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

/** A ServingClient whose every method is a jest mock; `overrides` replace some. */
/** A minute of charts: version 3 at 2 requests/s and 12 ms p50; some 401s before a version. */
export function someMetrics(): DeploymentMetrics {
  const t0 = Date.parse('2026-11-27T10:00:00.000Z');
  const points = (v: number) => [0, 20, 40].map(s => ({ t: t0 + s * 1000, v }));
  return {
    window: '1h',
    start: new Date(t0 - 3600_000),
    end: new Date(t0 + 40_000),
    stepSeconds: 20,
    requestRate: [
      { version: '3', code: '2xx', points: points(2) },
      { version: 'none', code: '4xx', points: points(0.5) },
    ],
    latencyP50Ms: [{ version: '3', points: points(12) }],
    latencyP99Ms: [{ version: '3', points: points(48) }],
    errorRatio: [{ version: '3', points: points(0) }],
  };
}

export function fakeServingApi(
  overrides: Partial<Record<keyof ServingClient, jest.Mock>> = {},
) {
  const deployment = aDeployment();
  const mocks = {
    listDeployments: jest.fn(async () => ({ items: [summaryOf(deployment)] })),
    getDeployment: jest.fn(async () => deployment),
    createDeployment: jest.fn(async () => deployment),
    deleteDeployment: jest.fn(async () => undefined),
    listApiKeys: jest.fn(async () => ({ items: [] as ApiKey[] })),
    createApiKey: jest.fn(),
    revokeApiKey: jest.fn(async () => undefined),
    setTraffic: jest.fn(async () => deployment),
    promote: jest.fn(async () => deployment),
    rollback: jest.fn(async () => deployment),
    getHistory: jest.fn(async () => ({ items: [] })),
    getMetrics: jest.fn(async () => someMetrics()),
    getStatus: jest.fn(async () => ({
      pluginId: 'serving',
      checkedAt: '2026-11-27T10:00:00.000Z',
      dependencies: [],
    })),
    ...overrides,
  };
  return { api: mocks as unknown as ServingClient, mocks };
}

export function fakeClustersApi(names: string[] = ['local']) {
  const listClusters = jest.fn(async () => ({
    items: names.map(name => ({
      name,
      title: name,
      owner: 'group:default/data-science',
      driver: 'local',
      source: 'config',
      state: 'ready',
      message: 'ready',
    })),
  }));
  return {
    api: { listClusters } as unknown as RayClustersClient,
    listClusters,
  };
}
