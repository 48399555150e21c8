import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  HomePageLayoutBlueprint,
  HomePageWidgetBlueprint,
} from '@backstage/plugin-home-react/alpha';

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
  extensions: [layout, platformStatusWidget, myProjectsWidget],
});
