/**
 * The monitoring backend plugin: charts of clusters, jobs and the platform from Prometheus.
 *
 * @packageDocumentation
 */

export { monitoringPlugin as default } from './plugin';
