/**
 * The mlops module for the catalog: the portal's datasets as Resource entities.
 *
 * @packageDocumentation
 */

export { catalogModuleMlops as default } from './module';
export * from './DatasetEntityProvider';
