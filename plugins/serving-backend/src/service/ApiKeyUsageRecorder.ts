import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { PrometheusClient } from '@internal/mlops-node';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';

/** When each key was last seen by an ingress (runtime mlops_runtime/serve/metrics.py). */
export const KEY_LAST_USED_QUERY =
  'max by (portal_deployment, key_id) (ray_mlops_api_key_last_used_timestamp_seconds)';

/**
 * Copies the "last used" time of API keys from the ingresses' metrics in Prometheus into the
 * keys' records, so that it outlives Prometheus's retention and the ingress replicas.
 */
export class ApiKeyUsageRecorder {
  constructor(
    private readonly deps: {
      prometheus: PrometheusClient;
      store: DatabaseDeploymentStore;
      logger: LoggerService;
    },
  ) {}

  async schedule(scheduler: SchedulerService, seconds = 30): Promise<void> {
    await scheduler.scheduleTask({
      id: 'serving-api-key-usage',
      scope: 'global',
      frequency: { seconds },
      timeout: { seconds: 60 },
      fn: async () => {
        await this.recordOnce();
      },
    });
  }

  /** One copy; Prometheus not answering is logged and tried again next time. */
  async recordOnce(): Promise<number> {
    let samples;
    try {
      samples = await this.deps.prometheus.query(KEY_LAST_USED_QUERY);
    } catch (error) {
      if (!isError(error)) throw error;
      this.deps.logger.warn(`API key usage not read: ${error.message}`);
      return 0;
    }
    let recorded = 0;
    for (const { labels, value } of samples) {
      const { portal_deployment: deploymentId, key_id: keyId } = labels;
      if (!deploymentId || !keyId) continue;
      const at = new Date(value * 1000);
      if (await this.deps.store.recordKeyUse(deploymentId, keyId, at)) {
        recorded += 1;
      }
    }
    return recorded;
  }
}
