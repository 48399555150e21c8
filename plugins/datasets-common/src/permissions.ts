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
 * See a dataset and its versions; granted to the owning team.
 *
 * @public
 */
export const datasetReadPermission = createPermission({
  name: 'datasets.dataset.read',
  attributes: { action: 'read' },
  resourceType: DATASET_RESOURCE_TYPE,
});

/** @public */
export const datasetsPermissions = [
  datasetsStatusReadPermission,
  datasetReadPermission,
];
