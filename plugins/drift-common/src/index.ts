/**
 * Types, permissions and the API client of the drift plugin.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './DriftClient';
export { DefaultApiClient } from './schema/openapi';
export type { TypedResponse, RequestOptions } from './schema/openapi';
