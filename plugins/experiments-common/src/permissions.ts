import { createPermission } from '@backstage/plugin-permission-common';

/** @public */
export const TRAINING_JOB_RESOURCE_TYPE = 'training-job';

/**
 * Read the plugin's dependency status (MLflow, database).
 *
 * @public
 */
export const experimentsStatusReadPermission = createPermission({
  name: 'experiments.status.read',
  attributes: { action: 'read' },
});

/**
 * See a training job; granted to the owning team.
 *
 * @public
 */
export const trainingJobReadPermission = createPermission({
  name: 'experiments.job.read',
  attributes: { action: 'read' },
  resourceType: TRAINING_JOB_RESOURCE_TYPE,
});

/**
 * Submit a training job; the job is owned by one of the caller's teams.
 *
 * @public
 */
export const trainingJobCreatePermission = createPermission({
  name: 'experiments.job.create',
  attributes: { action: 'create' },
});

/**
 * Cancel a training job; granted to the owning team.
 *
 * @public
 */
export const trainingJobCancelPermission = createPermission({
  name: 'experiments.job.cancel',
  attributes: { action: 'update' },
  resourceType: TRAINING_JOB_RESOURCE_TYPE,
});

/** @public */
export const experimentsPermissions = [
  experimentsStatusReadPermission,
  trainingJobReadPermission,
  trainingJobCreatePermission,
  trainingJobCancelPermission,
];
