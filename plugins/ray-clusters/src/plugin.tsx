import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MonitoringClient } from '@internal/backstage-plugin-monitoring-common';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';
import StorageIcon from '@material-ui/icons/Storage';
import { rayClustersApiRef, rayClustersMonitoringApiRef } from './api';
import { rootRouteRef } from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: rayClustersApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new RayClustersClient(deps),
    }),
});

const monitoringApi = ApiBlueprint.make({
  name: 'monitoring',
  params: defineParams =>
    defineParams({
      api: rayClustersMonitoringApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MonitoringClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/ray-clusters',
    routeRef: rootRouteRef,
    title: 'Ray clusters',
    icon: <StorageIcon />,
    loader: () =>
      import('./components/ClustersRoutes').then(m => <m.ClustersRoutes />),
  },
});

const clustersWidget = HomePageWidgetBlueprint.make({
  name: 'clusters',
  params: {
    name: 'RayClusters',
    title: 'Clusters',
    description: 'The Ray clusters your team can run jobs on',
    components: () =>
      import('./components/ClustersWidget').then(m => ({
        Content: m.ClustersWidget,
      })),
  },
});

/**
 * The Ray clusters area: clusters, their resources and Ray Dashboard links.
 *
 * @public
 */
export const rayClustersPlugin = createFrontendPlugin({
  pluginId: 'ray-clusters',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, monitoringApi, page, clustersWidget],
  routes: { root: rootRouteRef },
});
