import { createApiRef } from '@backstage/frontend-plugin-api';
import { MonitoringClient } from '@internal/backstage-plugin-monitoring-common';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';

/** @public */
export const rayClustersApiRef = createApiRef<RayClustersClient>({
  id: 'plugin.ray-clusters.api',
});

/**
 * The monitoring backend, for a cluster's utilisation over time. Its own client here: a frontend
 * plugin does not import another frontend plugin's API ref.
 *
 * @public
 */
export const rayClustersMonitoringApiRef = createApiRef<MonitoringClient>({
  id: 'plugin.ray-clusters.monitoring',
});
