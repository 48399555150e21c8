import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { RayClusterConfig, readRayClusterConfigs } from './config';
import { RayDashboardClient } from './RayDashboardClient';

/**
 * The Ray clusters the portal knows, for any backend plugin that runs work on Ray.
 *
 * @public
 */
export interface RayClustersService {
  listClusters(): RayClusterConfig[];
  /** The dashboard client of a cluster; NotFoundError for an unknown name. */
  getClient(name: string): RayDashboardClient;
}

/** @public */
export const rayClustersServiceRef = createServiceRef<RayClustersService>({
  id: 'mlops.ray-clusters',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory({ config }) {
        const clusters = readRayClusterConfigs(config);
        return {
          listClusters: () => clusters,
          getClient(name) {
            const cluster = clusters.find(c => c.name === name);
            if (!cluster) {
              throw new NotFoundError(`No Ray cluster named "${name}"`);
            }
            return new RayDashboardClient(cluster);
          },
        };
      },
    }),
});
