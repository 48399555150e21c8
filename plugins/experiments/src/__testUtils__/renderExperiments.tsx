import { renderInTestApp } from '@backstage/frontend-test-utils';
import { experimentsApiRef, experimentsMonitoringApiRef } from '../api';
import { ExperimentsRoutes } from '../components/ExperimentsRoutes';
import { rootRouteRef } from '../routes';
import { fakeExperimentsApi, fakeMonitoringApi } from '../testing/fixtures';

/** The experiments pages mounted at /experiments, opened at `path`, over fake APIs. */
export function renderExperimentsAt(
  path: string,
  api: ReturnType<typeof fakeExperimentsApi>['api'],
  monitoringApi = fakeMonitoringApi().api,
) {
  return renderInTestApp(<ExperimentsRoutes />, {
    apis: [
      [experimentsApiRef, api],
      [experimentsMonitoringApiRef, monitoringApi],
    ],
    mountPath: '/experiments',
    mountedRoutes: { '/experiments': rootRouteRef },
    initialRouteEntries: [path],
  });
}
