import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  TRAINING_JOB_RESOURCE_TYPE,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import { createOwnerRule, OwnerQuery } from '@internal/mlops-node';

export const trainingJobResourceRef = createPermissionResourceRef<
  TrainingJob,
  OwnerQuery
>().with({ pluginId: 'experiments', resourceType: TRAINING_JOB_RESOURCE_TYPE });

export const trainingJobOwnerRule = createOwnerRule(trainingJobResourceRef);
