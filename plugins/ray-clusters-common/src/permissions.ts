import { createPermission } from '@backstage/plugin-permission-common';

/** @public */
export const RAY_CLUSTER_RESOURCE_TYPE = 'ray-cluster';

/**
 * Read the plugin's dependency status.
 *
 * @public
 */
export const rayClustersStatusReadPermission = createPermission({
  name: 'ray-clusters.status.read',
  attributes: { action: 'read' },
});

/**
 * See a cluster, its resources and its dashboard link; granted to the owning team.
 *
 * @public
 */
export const rayClusterReadPermission = createPermission({
  name: 'ray-clusters.cluster.read',
  attributes: { action: 'read' },
  resourceType: RAY_CLUSTER_RESOURCE_TYPE,
});

/** @public */
export const rayClustersPermissions = [
  rayClustersStatusReadPermission,
  rayClusterReadPermission,
];
