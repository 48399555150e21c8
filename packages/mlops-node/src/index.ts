/**
 * Backend helpers shared by the MLOps backend plugins.
 *
 * @packageDocumentation
 */

export * from './probeHttp';
export * from './mlflowAuth';
export * from './mlflow/MlflowRestClient';
export * from './mlflow/MlflowTeamAccess';
export * from './prometheus/PrometheusClient';
export * from './prometheus/chartRanges';
export * from './pluginRequestFetch';
export * from './endpointGuard';
export * from './ownership';
export * from './authorization';
export * from './database';
export * from './parseLimit';
export * from './errors';
export * from './jsonBody';
export * from './statusRoute';
export * from './inferenceLog';
export * from './catalog/ScheduledEntityProvider';
// For tests only: production code does not use these.
export * from './testServices';
export * from './testBrokerLock';
export * from './endpointGuardTestServer';
export * from './metrics';
