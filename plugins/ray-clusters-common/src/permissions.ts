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
 * See a cluster, its resources, nodes, jobs and dashboard link; granted to the owning team.
 *
 * @public
 */
export const rayClusterReadPermission = createPermission({
  name: 'ray-clusters.cluster.read',
  attributes: { action: 'read' },
  resourceType: RAY_CLUSTER_RESOURCE_TYPE,
});

/**
 * Run jobs and Serve applications on a cluster; granted to the owning team.
 *
 * @public
 */
export const rayClusterUsePermission = createPermission({
  name: 'ray-clusters.cluster.use',
  attributes: { action: 'update' },
  resourceType: RAY_CLUSTER_RESOURCE_TYPE,
});

/**
 * Change a cluster's size, start or stop it; granted to the owning team.
 *
 * @public
 */
export const rayClusterScalePermission = createPermission({
  name: 'ray-clusters.cluster.scale',
  attributes: { action: 'update' },
  resourceType: RAY_CLUSTER_RESOURCE_TYPE,
});

/**
 * Delete a cluster; granted to the owning team.
 *
 * @public
 */
export const rayClusterDeletePermission = createPermission({
  name: 'ray-clusters.cluster.delete',
  attributes: { action: 'delete' },
  resourceType: RAY_CLUSTER_RESOURCE_TYPE,
});

/**
 * Create a cluster (for a team the caller belongs to, within the team's quota).
 *
 * @public
 */
export const rayClusterCreatePermission = createPermission({
  name: 'ray-clusters.cluster.create',
  attributes: { action: 'create' },
});

/** @public */
export const rayClustersPermissions = [
  rayClustersStatusReadPermission,
  rayClusterReadPermission,
  rayClusterUsePermission,
  rayClusterScalePermission,
  rayClusterDeletePermission,
  rayClusterCreatePermission,
];
