import { Entity } from '@backstage/catalog-model';
import {
  RayClusterConfig,
  RayClustersService,
} from '@internal/backstage-plugin-ray-clusters-node';
import {
  ScheduledEntityProvider,
  ScheduledEntityProviderOptions,
} from '@internal/mlops-node';

/** Annotation naming the cluster in the ray-clusters plugin. */
export const RAY_CLUSTER_ANNOTATION = 'mlops-portal.io/ray-cluster';
export const RAY_DRIVER_ANNOTATION = 'mlops-portal.io/ray-driver';

/** A catalog entity name from a cluster name: lowercase letters, digits and dashes. */
function entityName(name: string) {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'cluster'
  );
}

export function clusterEntity(
  cluster: RayClusterConfig,
  portalUrl: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: entityName(cluster.name),
      title: cluster.title,
      description: `Ray cluster (${cluster.driver} driver)`,
      tags: ['ray', cluster.driver],
      annotations: {
        [RAY_CLUSTER_ANNOTATION]: cluster.name,
        [RAY_DRIVER_ANNOTATION]: cluster.driver,
      },
      links: [
        {
          url: `${portalUrl}/ray-clusters/${encodeURIComponent(cluster.name)}`,
          title: 'Cluster in the portal',
        },
      ],
    },
    spec: { type: 'ray-cluster', owner: cluster.owner },
  };
}

/**
 * Every Ray cluster the portal knows (config-defined and created through it) as a Resource entity
 * of type ray-cluster, owned by its team; clusters that are gone leave the catalog on the next
 * refresh.
 */
export class RayClusterEntityProvider extends ScheduledEntityProvider {
  constructor(
    private readonly rayClusters: Pick<RayClustersService, 'listClusters'>,
    private readonly portalUrl: string,
    options: ScheduledEntityProviderOptions,
  ) {
    super('ray-clusters', 'ray-clusters-entity-provider', options);
  }

  protected async readEntities(): Promise<Entity[]> {
    return this.rayClusters
      .listClusters()
      .map(cluster => clusterEntity(cluster, this.portalUrl));
  }
}
