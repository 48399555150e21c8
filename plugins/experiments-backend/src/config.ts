import {
  resolvePackagePath,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import os from 'node:os';
import path from 'node:path';

/** The MLflow tracking server's base URL; startup fails with a clear message without it. */
export function readMlflowTrackingUrl(config: RootConfigService): string {
  const key = 'mlops.mlflow.trackingUrl';
  const value = config.getOptionalString(key);
  if (!value) {
    throw new Error(
      `${key} is not set: set it to the URL of the MLflow tracking server, e.g. http://127.0.0.1:5000`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${key} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${key} must be an http(s) URL, not "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** Settings of the training job queue, worker and reconciler (`mlops.experiments`). */
export type ExperimentsConfig = {
  runtimePath: string;
  storagePath: string;
  defaultCluster: string;
  queue: {
    driver: 'database' | 'rabbitmq';
    rabbitmqUrl?: string;
    queueName: string;
    maxAttempts: number;
    initialBackoffMs: number;
    visibilityTimeoutMs: number;
  };
  worker: { enabled: boolean; prefetch: number; entrypointNumCpus: number };
  reconcileIntervalMs: number;
  limits: JobLimits;
};

/** What one job and one team may ask for (`mlops.experiments.limits`). */
export type JobLimits = {
  /** Queued, starting, running and cancelling jobs of one team at once; more are a 429. */
  maxActiveJobsPerTeam: number;
  /** The fewest CPUs a worker may ask for. */
  minCpusPerWorker: number;
  /** The deepest nesting of a request body (hyperparameters included). */
  maxBodyDepth: number;
};

/**
 * Reads `mlops.experiments`. The runtime folder defaults to `$MLOPS_ROOT/runtime`, else the
 * runtime/ folder of the repository this package lives in.
 */
export function readExperimentsConfig(
  config: RootConfigService,
): ExperimentsConfig {
  const c = config.getOptionalConfig('mlops.experiments');
  const runtimePath = path.resolve(
    c?.getOptionalString('runtimePath') ??
      (process.env.MLOPS_ROOT
        ? path.join(process.env.MLOPS_ROOT, 'runtime')
        : resolvePackagePath(
            '@internal/backstage-plugin-experiments-backend',
            '../../runtime',
          )),
  );
  const storagePath = path.resolve(
    c?.getOptionalString('storagePath') ??
      path.join(
        process.env.MLOPS_DATA ?? path.join(os.tmpdir(), 'mlops'),
        'training',
      ),
  );
  const driver = c?.getOptionalString('queue.driver') ?? 'database';
  if (driver !== 'database' && driver !== 'rabbitmq') {
    throw new Error(
      `mlops.experiments.queue.driver must be "database" or "rabbitmq", not "${driver}"`,
    );
  }
  const rabbitmqUrl = c?.getOptionalString('queue.rabbitmq.url');
  if (driver === 'rabbitmq' && !rabbitmqUrl) {
    throw new Error(
      'mlops.experiments.queue.rabbitmq.url is not set: the rabbitmq queue driver needs the broker URL, e.g. amqp://guest:guest@127.0.0.1:5672',
    );
  }
  const positive = (key: string, fallback: number) => {
    const value = c?.getOptionalNumber(key) ?? fallback;
    if (!(value > 0)) {
      throw new Error(`mlops.experiments.${key} must be a positive number`);
    }
    return value;
  };
  const wholePositive = (key: string, fallback: number) => {
    const value = positive(key, fallback);
    if (!Number.isInteger(value)) {
      throw new Error(`mlops.experiments.${key} must be a whole number`);
    }
    return value;
  };
  const notNegative = (key: string, fallback: number) => {
    const value = c?.getOptionalNumber(key) ?? fallback;
    if (!(value >= 0)) {
      throw new Error(`mlops.experiments.${key} must be a number >= 0`);
    }
    return value;
  };
  return {
    runtimePath,
    storagePath,
    defaultCluster: c?.getOptionalString('defaultCluster') ?? 'local',
    queue: {
      driver,
      rabbitmqUrl,
      queueName:
        c?.getOptionalString('queue.rabbitmq.queueName') ?? 'experiments.jobs',
      maxAttempts: positive('queue.maxAttempts', 5),
      initialBackoffMs: positive('queue.initialBackoffMs', 2_000),
      visibilityTimeoutMs: positive('queue.visibilityTimeoutMs', 60_000),
    },
    worker: {
      enabled: c?.getOptionalBoolean('worker.enabled') ?? true,
      prefetch: positive('worker.prefetch', 4),
      entrypointNumCpus: notNegative('worker.entrypointNumCpus', 0),
    },
    reconcileIntervalMs: positive('reconcileIntervalMs', 2_000),
    limits: {
      maxActiveJobsPerTeam: wholePositive('limits.maxActiveJobsPerTeam', 10),
      minCpusPerWorker: positive('limits.minCpusPerWorker', 0.1),
      maxBodyDepth: wholePositive('limits.maxBodyDepth', 32),
    },
  };
}
