import { createBackend } from '@backstage/backend-defaults';
import { portalFeatures } from './features';

const backend = createBackend();

// Serves the built frontend in production; in development the app has its own server.
backend.add(import('@backstage/plugin-app-backend'));
for (const feature of portalFeatures) {
  backend.add(feature);
}

backend.start();
