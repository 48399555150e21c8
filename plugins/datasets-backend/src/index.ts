export { datasetsPlugin as default } from './plugin';
