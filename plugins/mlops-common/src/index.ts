/**
 * Types and constants shared by every MLOps plugin, frontend and backend.
 *
 * @packageDocumentation
 */

export * from './status';
export * from './ownership';
export * from './MlopsApiClient';
export * from './text';
