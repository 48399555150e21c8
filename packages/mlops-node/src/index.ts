/**
 * Backend helpers shared by the MLOps backend plugins.
 *
 * @packageDocumentation
 */

export * from './probeHttp';
export * from './ownership';
export * from './database';
export * from './parseLimit';
export * from './statusRoute';
export * from './catalog/ScheduledEntityProvider';
// For tests only: production code does not use these.
export * from './testServices';
export * from './testBrokerLock';
