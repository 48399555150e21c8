import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import { TRAINING_JOB_RESOURCE_TYPE } from '@internal/backstage-plugin-experiments-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';
import { StoredJob } from './database/DatabaseJobStore';

export const trainingJobResourceRef = createPermissionResourceRef<
  StoredJob,
  OwnerQuery
>().with({ pluginId: 'experiments', resourceType: TRAINING_JOB_RESOURCE_TYPE });

export const trainingJobOwnerRule = createOwnerRule(trainingJobResourceRef);
