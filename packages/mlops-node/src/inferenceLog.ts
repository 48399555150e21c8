import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * Where the serving ingress writes its sampled inference log (Parquet), read by drift checks:
 * `mlops.serving.inferenceLog` in the configuration, shared by the serving and drift plugins.
 *
 * @public
 */
export type InferenceLogSettings = {
  /** `file:///absolute/folder` (a cluster on this machine) or `s3://bucket/prefix`. */
  uri: string;
  /** Share of requests logged, 0 to 1. */
  sampleRate: number;
  /** Rows per Parquet file. */
  batchSize: number;
  /** A partly filled file is written after this many seconds. */
  flushIntervalSeconds: number;
};

/**
 * The inference log settings, or undefined when the log is off (no `uri`).
 *
 * @public
 */
export function readInferenceLogSettings(
  config: Config,
): InferenceLogSettings | undefined {
  const log = config.getOptionalConfig('mlops.serving.inferenceLog');
  const uri = log?.getOptionalString('uri');
  if (!log || !uri) return undefined;
  const where = 'mlops.serving.inferenceLog';
  if (!/^(file:\/\/\/|s3:\/\/[^/]+)/.test(uri)) {
    throw new InputError(
      `${where}.uri must be file:///absolute/folder or s3://bucket/prefix, not "${uri}"`,
    );
  }
  const sampleRate = log.getOptionalNumber('sampleRate') ?? 1;
  if (!(sampleRate >= 0 && sampleRate <= 1)) {
    throw new InputError(`${where}.sampleRate must be between 0 and 1`);
  }
  const batchSize = log.getOptionalNumber('batchSize') ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError(`${where}.batchSize must be a positive integer`);
  }
  const flushIntervalSeconds =
    log.getOptionalNumber('flushIntervalSeconds') ?? 10;
  if (!(flushIntervalSeconds > 0)) {
    throw new InputError(`${where}.flushIntervalSeconds must be positive`);
  }
  return {
    uri: uri.replace(/\/+$/, ''),
    sampleRate,
    batchSize,
    flushIntervalSeconds,
  };
}

/**
 * The folder of one deployment's inference log.
 *
 * @public
 */
export function inferenceLogUri(
  settings: Pick<InferenceLogSettings, 'uri'>,
  deploymentId: string,
): string {
  return `${settings.uri}/${deploymentId}`;
}
