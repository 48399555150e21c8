/**
 * Types, permissions and the API client of the datasets plugin.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './DatasetsClient';
