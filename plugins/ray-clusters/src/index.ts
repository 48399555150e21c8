export { rayClustersPlugin as default } from './plugin';
export { rayClustersApiRef } from './api';
