import { Config } from '@backstage/config';

export type DriftConfig = {
  n8nWebhookUrl?: string;
  /** Signs the deliveries to the webhook (HMAC-SHA256); unsigned without it. */
  n8nWebhookSecret?: string;
  /** How often running checks are read and scheduled ones started (default 30 s). */
  scheduleSeconds: number;
  /** A check whose Ray job runs longer is stopped and failed (default 15 min). */
  checkTimeoutMinutes: number;
};

/** Reads `mlops.drift`. */
export function readDriftConfig(config: Config): DriftConfig {
  const drift = config.getOptionalConfig('mlops.drift');
  const scheduleSeconds = drift?.getOptionalNumber('scheduleSeconds') ?? 30;
  const checkTimeoutMinutes =
    drift?.getOptionalNumber('checkTimeoutMinutes') ?? 15;
  if (!(scheduleSeconds >= 1)) {
    throw new Error('mlops.drift.scheduleSeconds must be at least 1');
  }
  if (!(checkTimeoutMinutes > 0)) {
    throw new Error('mlops.drift.checkTimeoutMinutes must be positive');
  }
  return {
    n8nWebhookUrl: readN8nWebhookUrl(config),
    n8nWebhookSecret: drift?.getOptionalString('n8n.webhookSecret'),
    scheduleSeconds,
    checkTimeoutMinutes,
  };
}

/** The configured n8n webhook, checked to be an http(s) URL. */
export function readN8nWebhookUrl(config: Config): string | undefined {
  const key = 'mlops.drift.n8n.webhookUrl';
  const value = config.getOptionalString(key);
  if (value === undefined) {
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new Error(`${key} must be an http(s) URL`);
  }
  return value;
}
