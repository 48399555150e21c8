import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  MODEL_DEPLOYMENT_RESOURCE_TYPE,
  ModelDeploymentDetails,
} from '@internal/backstage-plugin-serving-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';

export const modelDeploymentResourceRef = createPermissionResourceRef<
  ModelDeploymentDetails,
  OwnerQuery
>().with({ pluginId: 'serving', resourceType: MODEL_DEPLOYMENT_RESOURCE_TYPE });

export const modelDeploymentOwnerRule = createOwnerRule(
  modelDeploymentResourceRef,
);
