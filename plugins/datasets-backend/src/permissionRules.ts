import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  Dataset,
  DATASET_RESOURCE_TYPE,
} from '@internal/backstage-plugin-datasets-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';

export const datasetResourceRef = createPermissionResourceRef<
  Dataset,
  OwnerQuery
>().with({ pluginId: 'datasets', resourceType: DATASET_RESOURCE_TYPE });

export const datasetOwnerRule = createOwnerRule(datasetResourceRef);
