import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import { RayClusterAccess } from './config';
import { RayDashboardClient } from './RayDashboardClient';

/**
 * Asks the cluster itself for its version and resources (with live usage). An unreachable cluster
 * is described, not thrown: the caller shows it with the reason.
 *
 * @public
 */
export async function describeCluster(
  cluster: RayClusterAccess,
): Promise<RayCluster> {
  const base = {
    name: cluster.name,
    title: cluster.title,
    owner: cluster.owner,
    driver: cluster.driver,
    source: 'config' as const,
    dashboardUrl: cluster.dashboardUrl,
  };
  const client = new RayDashboardClient(cluster);
  try {
    const [rayVersion, resources] = await Promise.all([
      client.getVersion(),
      client.getResourcesWithUsage(),
    ]);
    return {
      ...base,
      state: 'ready',
      rayVersion,
      resources,
      message: summarizeResources(rayVersion, resources),
    };
  } catch (error) {
    return { ...base, state: 'unreachable', message: (error as Error).message };
  }
}

/** "Ray 2.60.0: 2 node(s), 4 CPU, no GPU" */
export function summarizeResources(
  rayVersion: string,
  resources: { nodes: number; cpus: number; gpus: number; gpuTypes: string[] },
): string {
  const gpus = resources.gpus
    ? `${resources.gpus} GPU (${
        resources.gpuTypes.join(', ') || 'type unknown'
      })`
    : 'no GPU';
  return `Ray ${rayVersion}: ${resources.nodes} node(s), ${resources.cpus} CPU, ${gpus}`;
}
