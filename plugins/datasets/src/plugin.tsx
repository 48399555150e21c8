import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { DatasetsClient } from '@internal/backstage-plugin-datasets-common';
import PermMediaIcon from '@material-ui/icons/PermMedia';
import { datasetsApiRef } from './api';
import { datasetRouteRef, rootRouteRef, trainingJobRouteRef } from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: datasetsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DatasetsClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/datasets',
    routeRef: rootRouteRef,
    title: 'Datasets',
    icon: <PermMediaIcon />,
    loader: () =>
      import('./components/DatasetsRoutes').then(m => <m.DatasetsRoutes />),
  },
});

/**
 * The datasets area: datasets, their versions and the object store behind them.
 *
 * @public
 */
export const datasetsPlugin = createFrontendPlugin({
  pluginId: 'datasets',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, page],
  routes: { root: rootRouteRef, dataset: datasetRouteRef },
  externalRoutes: { trainingJob: trainingJobRouteRef },
});
