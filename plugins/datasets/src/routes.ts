import {
  createExternalRouteRef,
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const datasetRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/:datasetId',
});

/** A training run's page in the experiments plugin, for the runs that used a dataset version. */
export const trainingJobRouteRef = createExternalRouteRef({
  params: ['jobId'],
  defaultTarget: 'experiments.job',
});
