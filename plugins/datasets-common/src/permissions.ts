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

/** @public */
export const datasetsPermissions = [
  datasetsStatusReadPermission,
  datasetReadPermission,
  datasetCreatePermission,
  datasetUpdatePermission,
];
