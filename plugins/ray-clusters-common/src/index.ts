/**
 * Types, permissions and the API client of the ray-clusters plugin.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './RayClustersClient';
