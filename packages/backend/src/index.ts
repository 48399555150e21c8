import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

// Serves the built frontend in production; in development the app has its own server.
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: guest in the embedded default, OIDC in production (app-config.production.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-gitlab'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(
  import('@internal/backstage-plugin-scaffolder-backend-module-mlops'),
);

// Team ownership instead of allow-all.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/backstage-plugin-permission-backend-module-mlops'),
);

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// MLOps
backend.add(import('@internal/backstage-plugin-ray-clusters-backend'));
backend.add(
  import('@internal/backstage-plugin-catalog-backend-module-ray-clusters'),
);
backend.add(import('@internal/backstage-plugin-datasets-backend'));
backend.add(import('@internal/backstage-plugin-catalog-backend-module-mlops'));
backend.add(import('@internal/backstage-plugin-experiments-backend'));
backend.add(import('@internal/backstage-plugin-serving-backend'));
backend.add(import('@internal/backstage-plugin-drift-backend'));

backend.start();
