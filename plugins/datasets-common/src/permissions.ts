import { createPermission } from '@backstage/plugin-permission-common';

/** @public */
export const DATASET_RESOURCE_TYPE = 'dataset';

/**
 * Read the plugin's dependency status.
 *
 * @public
 */
export const datasetsStatusReadPermission = createPermission({
  name: 'datasets.status.read',
  attributes: { action: 'read' },
});

/**
 * See a dataset, its versions and their content; granted to the owning team.
 *
 * @public
 */
export const datasetReadPermission = createPermission({
  name: 'datasets.dataset.read',
  attributes: { action: 'read' },
  resourceType: DATASET_RESOURCE_TYPE,
});

/**
 * Create a dataset owned by one of the caller's teams.
 *
 * @public
 */
export const datasetCreatePermission = createPermission({
  name: 'datasets.dataset.create',
  attributes: { action: 'create' },
});

/**
 * Add versions to a dataset (upload files, register a prefix); granted to the owning team.
 *
 * @public
 */
export const datasetUpdatePermission = createPermission({
  name: 'datasets.dataset.update',
  attributes: { action: 'update' },
  resourceType: DATASET_RESOURCE_TYPE,
});

/**
 * See and use a user-added S3 connection (never its credentials). Connections are owned like
 * datasets, so they share the dataset resource type and its ownership rule.
 *
 * @public
 */
export const datasetConnectionUsePermission = createPermission({
  name: 'datasets.connection.use',
  attributes: { action: 'read' },
  resourceType: DATASET_RESOURCE_TYPE,
});

/**
 * Add an S3 connection owned by one of the caller's teams.
 *
 * @public
 */
export const datasetConnectionCreatePermission = createPermission({
  name: 'datasets.connection.create',
  attributes: { action: 'create' },
});

/**
 * Delete a connection; granted to the owning team.
 *
 * @public
 */
export const datasetConnectionDeletePermission = createPermission({
  name: 'datasets.connection.delete',
  attributes: { action: 'delete' },
  resourceType: DATASET_RESOURCE_TYPE,
});

/** @public */
export const datasetsPermissions = [
  datasetsStatusReadPermission,
  datasetReadPermission,
  datasetCreatePermission,
  datasetUpdatePermission,
  datasetConnectionUsePermission,
  datasetConnectionCreatePermission,
  datasetConnectionDeletePermission,
];
