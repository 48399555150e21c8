import { createApiRef } from '@backstage/frontend-plugin-api';
import { DriftClient } from '@internal/backstage-plugin-drift-common';

/** @public */
export const driftApiRef = createApiRef<DriftClient>({
  id: 'plugin.drift.api',
});
