import { createApiRef } from '@backstage/frontend-plugin-api';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';

/** @public */
export const servingApiRef = createApiRef<ServingClient>({
  id: 'plugin.serving.api',
});

/**
 * The ray-clusters backend, for the clusters a model can be deployed on. Its own client here:
 * a frontend plugin does not import another frontend plugin's API ref.
 *
 * @public
 */
export const servingClustersApiRef = createApiRef<RayClustersClient>({
  id: 'plugin.serving.clusters',
});
