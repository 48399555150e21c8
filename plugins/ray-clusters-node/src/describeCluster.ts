import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import { RayClusterConfig } from './config';
import { RayDashboardClient } from './RayDashboardClient';

/**
 * Asks the cluster itself for its version and resources. An unreachable cluster is described, not
 * thrown: the caller shows it with the reason.
 *
 * @public
 */
export async function describeCluster(
  cluster: RayClusterConfig,
): Promise<RayCluster> {
  const base = {
    name: cluster.name,
    title: cluster.title,
    owner: cluster.owner,
    driver: cluster.driver,
    dashboardUrl: cluster.dashboardUrl,
  };
  const client = new RayDashboardClient(cluster);
  try {
    const [rayVersion, resources] = await Promise.all([
      client.getVersion(),
      client.getResources(),
    ]);
    const gpus = resources.gpus
      ? `${resources.gpus} GPU (${
          resources.gpuTypes.join(', ') || 'type unknown'
        })`
      : 'no GPU';
    return {
      ...base,
      state: 'ready',
      rayVersion,
      resources,
      message: `Ray ${rayVersion}: ${resources.nodes} node(s), ${resources.cpus} CPU, ${gpus}`,
    };
  } catch (error) {
    return { ...base, state: 'unreachable', message: (error as Error).message };
  }
}
