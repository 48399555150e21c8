export { authModule } from './authModule';
export { oidcAuthApiRef } from './oidcAuthApi';
