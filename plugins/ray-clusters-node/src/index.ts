/**
 * Ray cluster access for backend plugins: cluster configuration, the Ray dashboard HTTP client,
 * a service other plugins (experiments, serving) use to reach the team's cluster, and the Ray
 * Serve control-plane client (RayServeApplications).
 *
 * @packageDocumentation
 */

export * from './config';
export * from './RayDashboardClient';
export * from './describeCluster';
export * from './rayClustersService';
export * from './kuberay';
export * from './rayNodeEnvironment';
export * from './serve';
