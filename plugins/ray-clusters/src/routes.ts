import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const clusterRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/:clusterName',
});
