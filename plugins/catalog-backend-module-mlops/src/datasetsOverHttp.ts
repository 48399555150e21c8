import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  Dataset,
  DatasetsClient,
} from '@internal/backstage-plugin-datasets-common';

/**
 * All datasets, read from the datasets plugin's HTTP API with this plugin's own service
 * credentials (the datasets plugin lets backend services list every dataset).
 */
export function datasetsOverHttp(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): { list(): Promise<Dataset[]> } {
  const { auth, discovery } = deps;
  const client = new DatasetsClient({
    discoveryApi: discovery,
    fetchApi: {
      fetch: async (input, init) => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'datasets',
        });
        const headers = new Headers(init?.headers);
        headers.set('Authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    },
  });
  return { list: async () => (await client.listDatasets()).items };
}
