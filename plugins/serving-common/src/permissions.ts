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
 * See a model deployment, its keys (never the keys themselves) and its history; granted to the
 * owning team.
 *
 * @public
 */
export const modelDeploymentReadPermission = createPermission({
  name: 'serving.deployment.read',
  attributes: { action: 'read' },
  resourceType: MODEL_DEPLOYMENT_RESOURCE_TYPE,
});

/**
 * Deploy a registered model version; the deployment is owned by one of the caller's teams and
 * runs on a Ray cluster of that team. Basic (no resource): the deployment does not exist yet.
 *
 * @public
 */
export const modelDeploymentCreatePermission = createPermission({
  name: 'serving.deployment.create',
  attributes: { action: 'create' },
});

/**
 * Change a deployment: API keys, traffic split, promotion, rollback; granted to the owning team.
 *
 * @public
 */
export const modelDeploymentUpdatePermission = createPermission({
  name: 'serving.deployment.update',
  attributes: { action: 'update' },
  resourceType: MODEL_DEPLOYMENT_RESOURCE_TYPE,
});

/**
 * Undeploy; granted to the owning team.
 *
 * @public
 */
export const modelDeploymentDeletePermission = createPermission({
  name: 'serving.deployment.delete',
  attributes: { action: 'delete' },
  resourceType: MODEL_DEPLOYMENT_RESOURCE_TYPE,
});

/** @public */
export const servingPermissions = [
  servingStatusReadPermission,
  modelDeploymentReadPermission,
  modelDeploymentCreatePermission,
  modelDeploymentUpdatePermission,
  modelDeploymentDeletePermission,
];
