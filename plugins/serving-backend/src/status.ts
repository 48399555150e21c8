import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';

/** Whether each cluster's Ray Serve API answers, and how many applications run there. */
export async function checkRayServe(
  rayClusters: RayClustersService,
): Promise<DependencyCheck[]> {
  const clusters = rayClusters.listClusters();
  if (clusters.length === 0) {
    return [
      {
        name: 'Ray Serve',
        ok: false,
        message: 'No Ray cluster is configured (mlops.rayClusters.clusters)',
      },
    ];
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
