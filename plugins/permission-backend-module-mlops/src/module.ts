import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MlopsPolicy } from './policy/MlopsPolicy';

/**
 * Installs the team-ownership permission policy of the MLOps portal.
 *
 * @public
 */
export const permissionModuleMlops = createBackendModule({
  pluginId: 'permission',
  moduleId: 'mlops',
  register({ registerInit }) {
    registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        const admins = config.getOptionalStringArray(
          'mlops.permissions.admins',
        ) ?? ['group:default/mlops-admins'];
        policy.setPolicy(new MlopsPolicy(admins));
      },
    });
  },
});
