import authBackend from '@backstage/plugin-auth-backend';
import authBackendModuleGuestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import authBackendModuleOidcProvider from '@backstage/plugin-auth-backend-module-oidc-provider';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogBackendModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import catalogBackendModuleLogs from '@backstage/plugin-catalog-backend-module-logs';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import scaffolderBackendModuleGithub from '@backstage/plugin-scaffolder-backend-module-github';
import scaffolderBackendModuleGitlab from '@backstage/plugin-scaffolder-backend-module-gitlab';
import scaffolderBackendModuleNotifications from '@backstage/plugin-scaffolder-backend-module-notifications';
import scaffolderBackendModuleMlops from '@internal/backstage-plugin-scaffolder-backend-module-mlops';
import permissionBackend from '@backstage/plugin-permission-backend';
import permissionBackendModuleMlops from '@internal/backstage-plugin-permission-backend-module-mlops';
import searchBackend from '@backstage/plugin-search-backend';
import searchBackendModulePg from '@backstage/plugin-search-backend-module-pg';
import searchBackendModuleCatalog from '@backstage/plugin-search-backend-module-catalog';
import userSettingsBackend from '@backstage/plugin-user-settings-backend';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import signalsBackend from '@backstage/plugin-signals-backend';
import rayClustersBackend from '@internal/backstage-plugin-ray-clusters-backend';
import catalogBackendModuleRayClusters from '@internal/backstage-plugin-catalog-backend-module-ray-clusters';
import datasetsBackend from '@internal/backstage-plugin-datasets-backend';
import catalogBackendModuleMlops from '@internal/backstage-plugin-catalog-backend-module-mlops';
import experimentsBackend from '@internal/backstage-plugin-experiments-backend';
import servingBackend from '@internal/backstage-plugin-serving-backend';
import driftBackend from '@internal/backstage-plugin-drift-backend';
import monitoringBackend from '@internal/backstage-plugin-monitoring-backend';

/**
 * Every plugin and module of the portal's backend, in one list: `index.ts` starts them, and the
 * team-isolation test starts the same list (less the built frontend) with real sign-in.
 */
export const portalFeatures = [
  // Sign-in: guest in the embedded default, OIDC in production (app-config.production.yaml).
  authBackend,
  authBackendModuleGuestProvider,
  authBackendModuleOidcProvider,

  catalogBackend,
  catalogBackendModuleScaffolderEntityModel,
  catalogBackendModuleLogs,

  scaffolderBackend,
  scaffolderBackendModuleGithub,
  scaffolderBackendModuleGitlab,
  scaffolderBackendModuleNotifications,
  scaffolderBackendModuleMlops,

  // Team ownership instead of allow-all.
  permissionBackend,
  permissionBackendModuleMlops,

  searchBackend,
  searchBackendModulePg,
  searchBackendModuleCatalog,

  userSettingsBackend,
  notificationsBackend,
  signalsBackend,

  // MLOps
  rayClustersBackend,
  catalogBackendModuleRayClusters,
  datasetsBackend,
  catalogBackendModuleMlops,
  experimentsBackend,
  servingBackend,
  driftBackend,
  monitoringBackend,
];
