import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ServingClient } from '@internal/backstage-plugin-serving-common';
import { servingApiRef, servingClustersApiRef } from '../api';
import { ServingRoutes } from '../components/ServingRoutes';
import { rootRouteRef } from '../routes';
import { fakeClustersApi } from '../testing/fixtures';

/** The serving pages mounted at /serving, opened at `path`, over fake APIs. */
export function renderServingAt(
  path: string,
  api: ServingClient,
  clustersApi = fakeClustersApi().api,
) {
  return renderInTestApp(<ServingRoutes />, {
    apis: [
      [servingApiRef, api],
      [servingClustersApiRef, clustersApi],
    ],
    mountPath: '/serving',
    mountedRoutes: { '/serving': rootRouteRef },
    initialRouteEntries: [path],
  });
}
