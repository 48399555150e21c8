import {
  ExperimentsClient,
  MetricSeries,
  ModelTemplate,
  TrainingDataset,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import {
  Charts,
  MonitoringClient,
} from '@internal/backstage-plugin-monitoring-common';

export const cnnTemplate: ModelTemplate = {
  id: 'mnist-cnn',
  version: '1.0.0',
  title: 'CNN for handwritten digits (MNIST)',
  description: 'A small convolutional network for 28x28 grayscale images.',
  task: 'image-classification',
  datasetFormats: ['idx'],
  entrypoint: 'mlops_runtime.train',
  hyperparameterSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      epochs: {
        type: 'integer',
        minimum: 1,
        maximum: 50,
        default: 2,
        title: 'Epochs',
        description: 'How many times the model sees the whole training set.',
      },
      learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.001,
        title: 'Learning rate',
        description: 'Step size of the Adam optimizer.',
      },
    },
  },
  defaultResources: { numWorkers: 1, cpusPerWorker: 2, useGpu: false },
};

export const mnist: TrainingDataset = {
  id: 'mnist',
  title: 'MNIST',
  format: 'idx',
  version: 'sha256:abc123',
};

export const irisCsv: TrainingDataset = {
  id: 'iris',
  title: 'Iris',
  format: 'csv',
  version: 'sha256:def456',
};

export function aJob(overrides: Partial<TrainingJob> = {}): TrainingJob {
  return {
    id: '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
    name: 'mnist-cnn',
    owner: 'group:default/data-science',
    project: 'system:default/mnist',
    state: 'RUNNING',
    attempts: 1,
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:01:00.000Z',
    startedAt: '2026-11-27T10:00:30.000Z',
    config: {
      template: { id: 'mnist-cnn', version: '1.0.0' },
      dataset: { id: 'mnist', version: 'sha256:abc123', format: 'idx' },
      hyperparameters: { epochs: 2, learning_rate: 0.001 },
      seed: 42,
      resources: { numWorkers: 1, cpusPerWorker: 2, useGpu: false },
      cluster: 'local',
      runtimeVersion: '0.3.0',
      modelName: 'mnist-cnn',
    },
    links: {
      mlflowRun: 'http://127.0.0.1:5000/#/experiments/1/runs/r1',
      rayDashboard: 'http://127.0.0.1:8265/#/jobs/raysubmit_1',
    },
    ...overrides,
  };
}

export function series(key: string, values: number[]): MetricSeries {
  return {
    key,
    points: values.map((value, i) => ({ step: i + 1, value, timestamp: i })),
  };
}

/** An ExperimentsClient whose methods are jest mocks; override the ones a test cares about. */
export function fakeExperimentsApi(
  overrides: Partial<Record<keyof ExperimentsClient, jest.Mock>> = {},
) {
  const mocks = {
    listJobs: jest.fn(async () => ({ items: [] as TrainingJob[] })),
    getJob: jest.fn(async () => aJob()),
    createJob: jest.fn(async () => aJob({ state: 'QUEUED' })),
    cancelJob: jest.fn(async () => aJob({ state: 'CANCELLING' })),
    getJobMetrics: jest.fn(async () => ({ items: [] as MetricSeries[] })),
    getJobLogs: jest.fn(async (_id: string, offset: number) => ({
      text: '',
      nextOffset: offset,
    })),
    listTemplates: jest.fn(async () => ({ items: [cnnTemplate] })),
    listDatasets: jest.fn(async () => ({ items: [mnist, irisCsv] })),
    getStatus: jest.fn(async () => ({
      pluginId: 'experiments',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'MLflow tracking server',
          ok: true,
          version: '3.17.2',
          message: 'MLflow 3.17.2 at http://127.0.0.1:5000 is healthy',
        },
      ],
    })),
    ...overrides,
  };
  return { api: mocks as unknown as ExperimentsClient, mocks };
}

/** CPU and memory of a job's cluster over a minute of its run, as the monitoring backend sends them. */
export function someJobCharts(): Charts {
  const t0 = Date.parse('2026-11-27T10:00:30.000Z');
  const points = (values: number[]) =>
    values.map((v, i) => ({ t: t0 + i * 15_000, v }));
  return {
    start: new Date(t0),
    end: new Date(t0 + 60_000),
    stepSeconds: 15,
    charts: [
      {
        id: 'cpu',
        title: 'CPU use',
        unit: 'percent',
        series: [{ name: 'all nodes', points: points([20, 70, 80, 75]) }],
      },
      {
        id: 'memory',
        title: 'Memory',
        unit: 'bytes',
        series: [
          {
            name: 'used',
            points: points([1, 2, 2, 2].map(g => g * 1024 ** 3)),
          },
        ],
      },
      { id: 'gpu', title: 'GPU use', unit: 'percent', series: [] },
    ],
  };
}

/** A MonitoringClient whose methods are jest mocks. */
export function fakeMonitoringApi(
  overrides: Partial<Record<keyof MonitoringClient, jest.Mock>> = {},
) {
  const mocks = {
    getJobCharts: jest.fn(async () => someJobCharts()),
    getClusterCharts: jest.fn(async () => someJobCharts()),
    getPlatformCharts: jest.fn(async () => someJobCharts()),
    ...overrides,
  };
  return { api: mocks as unknown as MonitoringClient, mocks };
}
