import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const deploymentRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/deployments/:id',
});
