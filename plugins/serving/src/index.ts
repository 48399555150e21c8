export { servingPlugin as default } from './plugin';
export { servingApiRef } from './api';
