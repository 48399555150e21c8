import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  ModelDeploymentDetails,
  ServingClient,
} from '@internal/backstage-plugin-serving-common';
import { serviceTokenFetch } from './serviceTokenFetch';

/** The most the serving API lists in one answer. */
export const MAX_LISTED_DEPLOYMENTS = 100;

/**
 * All model deployments with their versions and weights, read from the serving plugin's HTTP API
 * with this plugin's own service credentials: the list, then each deployment's details (the list
 * leaves the versions out). A deployment deleted in between is left out.
 */
export function deploymentsOverHttp(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): { list(): Promise<ModelDeploymentDetails[]> } {
  const client = new ServingClient({
    discoveryApi: deps.discovery,
    fetchApi: serviceTokenFetch(deps.auth, 'serving'),
  });
  return {
    async list() {
      const { items } = await client.listDeployments(MAX_LISTED_DEPLOYMENTS);
      const details: ModelDeploymentDetails[] = [];
      for (const item of items) {
        try {
          details.push(await client.getDeployment(item.id));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return details;
    },
  };
}

/** A ResponseError of the client for a 404 answer (matched by shape: clients may bundle their own copy of @backstage/errors). */
function isNotFound(error: unknown): boolean {
  const { name, statusCode } = (error ?? {}) as {
    name?: unknown;
    statusCode?: unknown;
  };
  return name === 'ResponseError' && statusCode === 404;
}
