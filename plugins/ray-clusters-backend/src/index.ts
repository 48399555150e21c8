/**
 * The ray-clusters backend plugin.
 *
 * @packageDocumentation
 */

export { rayClustersPlugin as default } from './plugin';
