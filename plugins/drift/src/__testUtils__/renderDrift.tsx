import { renderInTestApp } from '@backstage/frontend-test-utils';
import { DriftClient } from '@internal/backstage-plugin-drift-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';
import { driftApiRef, driftServingApiRef } from '../api';
import { DriftRoutes } from '../components/DriftRoutes';
import { rootRouteRef, servingDeploymentRouteRef } from '../routes';
import { fakeServingApi } from '../testing/fixtures';

/** The drift pages mounted at /drift, opened at `path`, over fake APIs. */
export function renderDriftAt(
  path: string,
  api: DriftClient,
  servingApi: ServingClient = fakeServingApi().api,
) {
  return renderInTestApp(<DriftRoutes />, {
    apis: [
      [driftApiRef, api],
      [driftServingApiRef, servingApi],
    ],
    mountPath: '/drift',
    mountedRoutes: {
      '/drift': rootRouteRef,
      '/serving/deployments/:id': servingDeploymentRouteRef,
    },
    initialRouteEntries: [path],
  });
}
