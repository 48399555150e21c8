import { createPermission } from '@backstage/plugin-permission-common';

/** @public */
export const MODEL_DEPLOYMENT_RESOURCE_TYPE = 'model-deployment';

/**
 * Read the plugin's dependency status (Ray Serve, database).
 *
 * @public
 */
export const servingStatusReadPermission = createPermission({
  name: 'serving.status.read',
  attributes: { action: 'read' },
});

/**
 * See a model deployment; granted to the owning team.
 *
 * @public
 */
export const modelDeploymentReadPermission = createPermission({
  name: 'serving.deployment.read',
  attributes: { action: 'read' },
  resourceType: MODEL_DEPLOYMENT_RESOURCE_TYPE,
});

/** @public */
export const servingPermissions = [
  servingStatusReadPermission,
  modelDeploymentReadPermission,
];
