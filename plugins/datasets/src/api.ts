import { createApiRef } from '@backstage/frontend-plugin-api';
import { DatasetsClient } from '@internal/backstage-plugin-datasets-common';

/** @public */
export const datasetsApiRef = createApiRef<DatasetsClient>({
  id: 'plugin.datasets.api',
});
