import { createApiRef } from '@backstage/frontend-plugin-api';
import { DriftClient } from '@internal/backstage-plugin-drift-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';

/** @public */
export const driftApiRef = createApiRef<DriftClient>({
  id: 'plugin.drift.api',
});

/**
 * The serving backend, for the deployments a monitor can watch. Its own client here: a frontend
 * plugin does not import another frontend plugin's API ref.
 *
 * @public
 */
export const driftServingApiRef = createApiRef<ServingClient>({
  id: 'plugin.drift.serving',
});
