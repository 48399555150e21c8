import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { MonitoringClient } from '@internal/backstage-plugin-monitoring-common';

/** The monitoring backend, for the home page's platform health charts. */
export const homeMonitoringApiRef = createApiRef<MonitoringClient>({
  id: 'plugin.home.monitoring',
});

export const homeMonitoringApi = ApiBlueprint.make({
  name: 'monitoring',
  params: defineParams =>
    defineParams({
      api: homeMonitoringApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MonitoringClient(deps),
    }),
});
