import { createApiRef } from '@backstage/frontend-plugin-api';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';

/** @public */
export const rayClustersApiRef = createApiRef<RayClustersClient>({
  id: 'plugin.ray-clusters.api',
});
