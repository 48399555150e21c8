import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import {
  MlflowCredentials,
  mlflowAuthHeaders,
  probeHttp,
} from '@internal/mlops-node';

/**
 * MLflow answers `/health`, and `/version` with a version number. With authentication on, only
 * `/health` is open: `/version` is asked with the portal's credentials, which it thereby checks.
 */
export async function checkMlflow(
  trackingUrl: string,
  credentials?: MlflowCredentials,
): Promise<DependencyCheck> {
  const name = 'MLflow tracking server';
  const [health, version] = await Promise.all([
    probeHttp(`${trackingUrl}/health`),
    probeHttp(`${trackingUrl}/version`, {
      headers: mlflowAuthHeaders(credentials),
    }),
  ]);
  if (!health.ok) {
    return { name, ok: false, message: health.message };
  }
  if (!version.ok) {
    return {
      name,
      ok: false,
      message: `MLflow at ${trackingUrl} is up but did not give its version: ${version.message}`,
    };
  }
  const mlflowVersion = version.body.trim();
  if (!/^\d+\.\d+/.test(mlflowVersion)) {
    return {
      name,
      ok: false,
      message: `${trackingUrl}/version did not answer a version number: is this an MLflow server?`,
    };
  }
  return {
    name,
    ok: true,
    version: mlflowVersion,
    message: `MLflow ${mlflowVersion} at ${trackingUrl} is healthy`,
  };
}
