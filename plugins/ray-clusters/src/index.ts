export { rayClustersPlugin as default } from './plugin';
