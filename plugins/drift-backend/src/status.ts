import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import { probeHttp } from '@internal/mlops-node';

/**
 * Checks that the n8n instance behind the webhook is up, through its health endpoint. Only the
 * origin is probed and named: the webhook path is a secret.
 */
export async function checkN8n(
  webhookUrl: string | undefined,
): Promise<DependencyCheck> {
  const name = 'n8n webhook';
  if (!webhookUrl) {
    return {
      name,
      ok: true,
      message:
        'n8n notifications are not configured (mlops.drift.n8n.webhookUrl); alerts go to Backstage notifications only',
    };
  }
  const healthz = `${new URL(webhookUrl).origin}/healthz`;
  const result = await probeHttp(healthz);
  if (!result.ok) {
    return {
      name,
      ok: false,
      message: `n8n is not reachable: ${result.message}`,
    };
  }
  return { name, ok: true, message: `n8n answers at ${healthz}` };
}
