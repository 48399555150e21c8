export { driftPlugin as default } from './plugin';
