import { createApiRef } from '@backstage/frontend-plugin-api';
import { ExperimentsClient } from '@internal/backstage-plugin-experiments-common';

/** @public */
export const experimentsApiRef = createApiRef<ExperimentsClient>({
  id: 'plugin.experiments.api',
});
