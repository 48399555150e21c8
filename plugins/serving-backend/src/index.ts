export { servingPlugin as default } from './plugin';
