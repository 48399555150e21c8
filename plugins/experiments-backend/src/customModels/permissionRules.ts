import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  CustomModel,
  CUSTOM_MODEL_RESOURCE_TYPE,
} from '@internal/backstage-plugin-experiments-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';

export const customModelResourceRef = createPermissionResourceRef<
  CustomModel,
  OwnerQuery
>().with({ pluginId: 'experiments', resourceType: CUSTOM_MODEL_RESOURCE_TYPE });

export const customModelOwnerRule = createOwnerRule(customModelResourceRef);
