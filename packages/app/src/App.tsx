import { createApp } from '@backstage/frontend-defaults';
import { authModule } from './modules/auth';
import { homeModule } from './modules/home';
import { navModule } from './modules/nav';

// Plugins are discovered from this package's dependencies (app.packages: all in app-config).
export default createApp({
  features: [authModule, navModule, homeModule],
});
