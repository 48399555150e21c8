export { driftPlugin as default } from './plugin';
export { driftApiRef } from './api';
