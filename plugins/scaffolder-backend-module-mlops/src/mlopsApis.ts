import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { DatasetsClient } from '@internal/backstage-plugin-datasets-common';
import { InputError, ResponseError } from '@backstage/errors';
import {
  CustomModelVersion,
  ExperimentsClient,
} from '@internal/backstage-plugin-experiments-common';

/**
 * Fetch for a portal plugin's API on behalf of `credentials` (the user who runs the template),
 * so the plugin's own permission checks (team ownership) apply.
 */
function fetchOnBehalfOf(
  auth: AuthService,
  credentials: BackstageCredentials,
  targetPluginId: string,
): { fetch: typeof fetch } {
  return {
    fetch: async (input, init) => {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: credentials,
        targetPluginId,
      });
      const headers = new Headers(init?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  };
}

/** The datasets and experiments API clients, acting for `credentials`. */
export function mlopsClients(
  deps: { auth: AuthService; discovery: DiscoveryService },
  credentials: BackstageCredentials,
) {
  return {
    datasets: new DatasetsClient({
      discoveryApi: deps.discovery,
      fetchApi: fetchOnBehalfOf(deps.auth, credentials, 'datasets'),
    }),
    experiments: new ExperimentsClient({
      discoveryApi: deps.discovery,
      fetchApi: fetchOnBehalfOf(deps.auth, credentials, 'experiments'),
    }),
    /** One custom model version with its source; InputError when the user cannot see it. */
    async customModelVersion(
      name: string,
      version: number,
    ): Promise<CustomModelVersion> {
      const base = await deps.discovery.getBaseUrl('experiments');
      const response = await fetchOnBehalfOf(
        deps.auth,
        credentials,
        'experiments',
      ).fetch(
        `${base}/custom-models/${encodeURIComponent(name)}/versions/${version}`,
      );
      if (response.status === 404) {
        const body = await response.json().catch(() => undefined);
        throw new InputError(
          `Custom model version ${name}@${version} does not exist or your teams cannot see it (${
            body?.error?.message ?? 'not found'
          })`,
        );
      }
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      return (await response.json()) as CustomModelVersion;
    },
  };
}
