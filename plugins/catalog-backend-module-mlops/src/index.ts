/**
 * The mlops module for the catalog: the portal's datasets as Resource entities and its model
 * deployments as API entities.
 *
 * @packageDocumentation
 */

export { catalogModuleMlops as default } from './module';
export * from './DatasetEntityProvider';
export * from './DeploymentApiEntityProvider';
export { inferenceApiDefinition } from './inferenceApi/inferenceApiDefinition';
export type { InferenceApiTarget } from './inferenceApi/inferenceApiDefinition';
