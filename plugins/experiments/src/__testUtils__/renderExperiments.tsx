import { renderInTestApp } from '@backstage/frontend-test-utils';
import { experimentsApiRef } from '../api';
import { ExperimentsRoutes } from '../components/ExperimentsRoutes';
import { rootRouteRef } from '../routes';
import { fakeExperimentsApi } from '../testing/fixtures';

/** The experiments pages mounted at /experiments, opened at `path`, over a fake API. */
export function renderExperimentsAt(
  path: string,
  api: ReturnType<typeof fakeExperimentsApi>['api'],
) {
  return renderInTestApp(<ExperimentsRoutes />, {
    apis: [[experimentsApiRef, api]],
    mountPath: '/experiments',
    mountedRoutes: { '/experiments': rootRouteRef },
    initialRouteEntries: [path],
  });
}
