import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  ModelDeployment,
  ServingClient,
} from '@internal/backstage-plugin-serving-common';
import { pluginRequestFetch } from '@internal/mlops-node';

/** The most the serving API lists in one answer. */
export const DEPLOYMENTS_PER_PAGE = 100;

/**
 * All model deployments with their versions and weights, read page by page from the serving
 * plugin's HTTP API with this plugin's own service credentials.
 */
export function deploymentsOverHttp(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): { list(): Promise<ModelDeployment[]> } {
  const client = new ServingClient({
    discoveryApi: deps.discovery,
    fetchApi: pluginRequestFetch(deps.auth, 'serving'),
  });
  return {
    async list() {
      const all: ModelDeployment[] = [];
      for (;;) {
        const { items } = await client.listDeployments(
          DEPLOYMENTS_PER_PAGE,
          all.length,
        );
        all.push(...items);
        if (items.length < DEPLOYMENTS_PER_PAGE) return all;
      }
    },
  };
}
