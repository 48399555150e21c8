/**
 * Types and the API client of the monitoring plugin: the portal's charts, read from Prometheus.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './MonitoringClient';
