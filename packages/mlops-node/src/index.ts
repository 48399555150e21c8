/**
 * Backend helpers shared by the MLOps backend plugins.
 *
 * @packageDocumentation
 */

export * from './probeHttp';
export * from './ownership';
export * from './statusRoute';
export * from './testServices';
