import { RootConfigService } from '@backstage/backend-plugin-api';

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
