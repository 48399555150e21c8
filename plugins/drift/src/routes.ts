import {
  createExternalRouteRef,
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

export const monitorRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/monitors/:id',
});

/** A deployment's page in the serving plugin, for the deployment a monitor watches. */
export const servingDeploymentRouteRef = createExternalRouteRef({
  params: ['id'],
  defaultTarget: 'serving.deployment',
});
