import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const newTrainingRunRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/new',
});

export const jobRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/jobs/:jobId',
});

export const customModelsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/custom-models',
});
