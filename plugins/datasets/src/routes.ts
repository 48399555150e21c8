import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const datasetRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/:datasetId',
});
