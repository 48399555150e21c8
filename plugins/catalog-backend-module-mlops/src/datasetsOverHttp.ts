import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  Dataset,
  DatasetsClient,
} from '@internal/backstage-plugin-datasets-common';
import { pluginRequestFetch } from '@internal/mlops-node';

/**
 * All datasets, read from the datasets plugin's HTTP API with this plugin's own service
 * credentials (the datasets plugin lets backend services list every dataset).
 */
export function datasetsOverHttp(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): { list(): Promise<Dataset[]> } {
  const client = new DatasetsClient({
    discoveryApi: deps.discovery,
    fetchApi: pluginRequestFetch(deps.auth, 'datasets'),
  });
  return { list: async () => (await client.listDatasets()).items };
}
