import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import {
  RayClusterConfig,
  RayClustersService,
} from '@internal/backstage-plugin-ray-clusters-node';

/**
 * Whether the Ray Serve API of each of `clusters` (those the caller may see) answers, and how
 * many applications run there.
 */
export async function checkRayServe(
  rayClusters: RayClustersService,
  clusters: RayClusterConfig[],
): Promise<DependencyCheck[]> {
  if (clusters.length === 0) {
    const message =
      rayClusters.listClusters().length === 0
        ? 'No Ray cluster is configured (mlops.rayClusters.clusters)'
        : 'Your team has no Ray cluster to serve models on: create one on the Ray clusters page';
    return [{ name: 'Ray Serve', ok: false, message }];
  }
  return Promise.all(
    clusters.map(async cluster => {
      const name = `Ray Serve on ${cluster.title}`;
      try {
        const applications = Object.values(
          await rayClusters.getClient(cluster.name).getServeApplications(),
        );
        const running = applications.filter(a => a.status === 'RUNNING').length;
        return {
          name,
          ok: true,
          message: `The Serve API answers: ${running} of ${applications.length} application(s) running`,
          details: { applications: applications.length, running },
        };
      } catch (error) {
        return { name, ok: false, message: (error as Error).message };
      }
    }),
  );
}
