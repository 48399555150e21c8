import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { DriftClient } from '@internal/backstage-plugin-drift-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';
import NotificationImportantIcon from '@material-ui/icons/NotificationImportant';
import { driftApiRef, driftServingApiRef } from './api';
import {
  monitorRouteRef,
  rootRouteRef,
  servingDeploymentRouteRef,
} from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: driftApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DriftClient(deps),
    }),
});

const servingApi = ApiBlueprint.make({
  name: 'serving',
  params: defineParams =>
    defineParams({
      api: driftServingApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ServingClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/drift',
    routeRef: rootRouteRef,
    title: 'Drift',
    icon: <NotificationImportantIcon />,
    loader: () =>
      import('./components/DriftRoutes').then(m => <m.DriftRoutes />),
  },
});

/**
 * The drift area: drift monitors of deployed models, their checks and reports.
 *
 * @public
 */
export const driftPlugin = createFrontendPlugin({
  pluginId: 'drift',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, servingApi, page],
  routes: { root: rootRouteRef, monitor: monitorRouteRef },
  externalRoutes: { servingDeployment: servingDeploymentRouteRef },
});
