import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';
import { RAY_CLUSTER_RESOURCE_TYPE } from '@internal/backstage-plugin-ray-clusters-common';
import { RayClusterConfig } from '@internal/backstage-plugin-ray-clusters-node';

export const rayClusterResourceRef = createPermissionResourceRef<
  RayClusterConfig,
  OwnerQuery
>().with({ pluginId: 'ray-clusters', resourceType: RAY_CLUSTER_RESOURCE_TYPE });

export const rayClusterOwnerRule = createOwnerRule(rayClusterResourceRef);
