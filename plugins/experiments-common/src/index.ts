/**
 * Types, permissions and the API client of the experiments plugin.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './tune';
export * from './searchSpace';
export * from './tuneTrials';
export * from './permissions';
export * from './customModels';
export * from './ExperimentsClient';
