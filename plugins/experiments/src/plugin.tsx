import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { ExperimentsClient } from '@internal/backstage-plugin-experiments-common';
import { MonitoringClient } from '@internal/backstage-plugin-monitoring-common';
import TimelineIcon from '@material-ui/icons/Timeline';
import { experimentsApiRef, experimentsMonitoringApiRef } from './api';
import {
  customModelsRouteRef,
  jobRouteRef,
  newTrainingRunRouteRef,
  rootRouteRef,
} from './routes';

const api = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: experimentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ExperimentsClient(deps),
    }),
});

const monitoringApi = ApiBlueprint.make({
  name: 'monitoring',
  params: defineParams =>
    defineParams({
      api: experimentsMonitoringApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MonitoringClient(deps),
    }),
});

const page = PageBlueprint.make({
  params: {
    path: '/experiments',
    routeRef: rootRouteRef,
    title: 'Experiments',
    icon: <TimelineIcon />,
    loader: () =>
      import('./components/ExperimentsRoutes').then(m => (
        <m.ExperimentsRoutes />
      )),
  },
});

const recentJobsWidget = HomePageWidgetBlueprint.make({
  name: 'recent-jobs',
  params: {
    name: 'RecentJobs',
    title: 'Recent jobs',
    description: "Your team's latest training and tuning runs",
    components: () =>
      import('./components/jobs/RecentJobsWidget').then(m => ({
        Content: m.RecentJobsWidget,
      })),
  },
});

/**
 * The experiments area: training and tuning jobs, tracked in MLflow.
 *
 * @public
 */
export const experimentsPlugin = createFrontendPlugin({
  pluginId: 'experiments',
  info: { packageJson: () => import('../package.json') },
  extensions: [api, monitoringApi, page, recentJobsWidget],
  routes: {
    root: rootRouteRef,
    newTrainingRun: newTrainingRunRouteRef,
    job: jobRouteRef,
    customModels: customModelsRouteRef,
  },
});
