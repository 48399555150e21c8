/**
 * Types, permissions and the API client of the serving plugin.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './ServingClient';
export { DefaultApiClient } from './schema/openapi';
export type { TypedResponse, RequestOptions } from './schema/openapi';
