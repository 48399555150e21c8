import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { RayClustersClient } from '@internal/backstage-plugin-ray-clusters-common';
import { ServingClient } from '@internal/backstage-plugin-serving-common';
import CloudQueueIcon from '@material-ui/icons/CloudQueue';
import { servingApiRef, servingClustersApiRef } from './api';
import { deploymentRouteRef, rootRouteRef } from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: servingApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ServingClient(deps),
    }),
});

const clustersApi = ApiBlueprint.make({
  name: 'clusters',
  params: defineParams =>
    defineParams({
      api: servingClustersApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new RayClustersClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/serving',
    routeRef: rootRouteRef,
    title: 'Serving',
    icon: <CloudQueueIcon />,
    loader: () =>
      import('./components/ServingRoutes').then(m => <m.ServingRoutes />),
  },
});

const deployedModelsWidget = HomePageWidgetBlueprint.make({
  name: 'deployed-models',
  params: {
    name: 'DeployedModels',
    title: 'Deployed models',
    description: "Your team's models served as inference APIs",
    components: () =>
      import('./components/DeployedModelsWidget').then(m => ({
        Content: m.DeployedModelsWidget,
      })),
  },
});

/**
 * The serving area: model versions deployed as inference APIs on Ray Serve.
 *
 * @public
 */
export const servingPlugin = createFrontendPlugin({
  pluginId: 'serving',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, clustersApi, page, deployedModelsWidget],
  routes: { root: rootRouteRef, deployment: deploymentRouteRef },
});
