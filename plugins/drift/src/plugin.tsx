import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { DriftClient } from '@internal/backstage-plugin-drift-common';
import NotificationImportantIcon from '@material-ui/icons/NotificationImportant';
import { driftApiRef } from './api';
import { rootRouteRef } from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: driftApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DriftClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/drift',
    routeRef: rootRouteRef,
    title: 'Drift',
    icon: <NotificationImportantIcon />,
    loader: () => import('./components/DriftPage').then(m => <m.DriftPage />),
  },
});

/**
 * The drift area: drift monitors of deployed models, their checks and alerts.
 *
 * @public
 */
export const driftPlugin = createFrontendPlugin({
  pluginId: 'drift',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, page],
  routes: { root: rootRouteRef },
});
