import { LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import { ModelDeploymentState } from '@internal/backstage-plugin-serving-common';

const STATES: ModelDeploymentState[] = [
  'DEPLOYING',
  'HEALTHY',
  'UNHEALTHY',
  'DELETING',
];

/**
 * The serving plugin's metrics, through the MetricsService (the backend's Prometheus exporter
 * serves them): `mlops_model_deployments{state}`, deployments by state, read from the database
 * on each scrape, every state reported (0 included) so that an emptied state reads 0. Requests,
 * latency and errors per deployment come from the ingress inside Ray (runtime metrics.py).
 */
export function observeDeployments(
  metrics: MetricsService,
  countByState: () => Promise<Partial<Record<ModelDeploymentState, number>>>,
  logger?: LoggerService,
): void {
  const gauge = metrics.createObservableGauge<{ state: string }>(
    'mlops_model_deployments',
    { description: 'Model deployments by state' },
  );
  gauge.addCallback(async result => {
    let counts;
    try {
      counts = await countByState();
    } catch (error) {
      logger?.debug(`Metrics: could not count deployments: ${error}`);
      return;
    }
    for (const state of STATES) {
      result.observe(counts[state] ?? 0, { state });
    }
  });
}
