import { createApiRef } from '@backstage/frontend-plugin-api';
import { ServingClient } from '@internal/backstage-plugin-serving-common';

/** @public */
export const servingApiRef = createApiRef<ServingClient>({
  id: 'plugin.serving.api',
});
