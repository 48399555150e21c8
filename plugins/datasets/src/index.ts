export { datasetsPlugin as default } from './plugin';
export { datasetsApiRef } from './api';
