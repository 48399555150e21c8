import { Config } from '@backstage/config';

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
