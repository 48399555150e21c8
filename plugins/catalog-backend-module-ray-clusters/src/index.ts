/**
 * The ray-clusters module for the catalog: each Ray cluster as a Resource entity.
 *
 * @packageDocumentation
 */

export { catalogModuleRayClusters as default } from './module';
export * from './RayClusterEntityProvider';
