import { createApiRef } from '@backstage/frontend-plugin-api';
import { ExperimentsClient } from '@internal/backstage-plugin-experiments-common';
import { MonitoringClient } from '@internal/backstage-plugin-monitoring-common';

/** @public */
export const experimentsApiRef = createApiRef<ExperimentsClient>({
  id: 'plugin.experiments.api',
});

/**
 * The monitoring backend, for the resources a job's cluster used during the run. Its own client
 * here: a frontend plugin does not import another frontend plugin's API ref.
 *
 * @public
 */
export const experimentsMonitoringApiRef = createApiRef<MonitoringClient>({
  id: 'plugin.experiments.monitoring',
});
