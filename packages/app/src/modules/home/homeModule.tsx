import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';
import { homeMonitoringApi } from './monitoringApi';

const layout = HomePageLayoutBlueprint.make({
  name: 'mlops',
  params: {
    loader: () => import('./MlopsHomeLayout').then(m => m.MlopsHomeLayout),
  },
});

const platformStatusWidget = HomePageWidgetBlueprint.make({
  name: 'platform-status',
  params: {
    name: 'PlatformStatus',
    title: 'Platform status',
    description:
      'Live status of Ray, MLflow, the object store and the portal database',
    components: () =>
      import('./PlatformStatusWidget').then(m => ({
        Content: m.PlatformStatusWidget,
      })),
  },
});

const platformHealthWidget = HomePageWidgetBlueprint.make({
  name: 'platform-health',
  params: {
    name: 'PlatformHealth',
    title: 'Platform health',
    description:
      'Training jobs, queue age, inference traffic and Ray nodes over time, from Prometheus',
    components: () =>
      import('./PlatformHealthWidget').then(m => ({
        Content: m.PlatformHealthWidget,
      })),
  },
});

const myProjectsWidget = HomePageWidgetBlueprint.make({
  name: 'my-projects',
  params: {
    name: 'MyProjects',
    title: 'My projects',
    description: 'ML projects owned by you or your teams',
    components: () =>
      import('./MyProjectsWidget').then(m => ({ Content: m.MyProjectsWidget })),
  },
});

/** The MLOps home page: the user's projects, jobs, models and clusters, and platform status. */
export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [
    layout,
    homeMonitoringApi,
    platformStatusWidget,
    platformHealthWidget,
    myProjectsWidget,
  ],
});
