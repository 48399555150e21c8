/**
 * Ray cluster access for backend plugins: cluster configuration, the Ray dashboard HTTP client,
 * and a service other plugins (experiments, serving) use to reach the team's cluster.
 *
 * @packageDocumentation
 */

export * from './config';
export * from './RayDashboardClient';
export * from './describeCluster';
export * from './rayClustersService';
export * from './kuberay';
export * from './rayNodeEnvironment';
