import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { RayClusterDriver } from '@internal/backstage-plugin-ray-clusters-common';
import { EndpointGuard } from '@internal/mlops-node';

/**
 * One entry of `mlops.rayClusters.clusters` in app-config.
 *
 * @public
 */
export type RayClusterConfig = {
  name: string;
  title: string;
  owner: string;
  driver: RayClusterDriver;
  dashboardUrl: string;
  /** Bearer token for Ray token authentication; never logged or returned. */
  token?: string;
};

/**
 * A cluster as clients reach it: its config and, for an address a user gave (external clusters
 * created through the portal), the guard every client checks the address with before each
 * request. Clusters defined in app-config and those the portal starts are trusted: no guard.
 *
 * @public
 */
export type RayClusterAccess = RayClusterConfig & {
  endpointGuard?: EndpointGuard;
};

const DRIVERS: RayClusterDriver[] = ['local', 'external', 'kuberay'];

/**
 * Reads the configured clusters and rejects unusable entries with a message naming the entry.
 *
 * @public
 */
export function readRayClusterConfigs(config: Config): RayClusterConfig[] {
  const entries =
    config.getOptionalConfigArray('mlops.rayClusters.clusters') ?? [];
  const clusters = entries.map(entry => {
    const name = entry.getString('name');
    const driver = entry.getOptionalString('driver') ?? 'external';
    if (!DRIVERS.includes(driver as RayClusterDriver)) {
      throw new InputError(
        `Ray cluster "${name}": driver must be one of ${DRIVERS.join(
          ', ',
        )}, not "${driver}"`,
      );
    }
    return {
      name,
      title: entry.getOptionalString('title') ?? name,
      owner: entry.getString('owner'),
      driver: driver as RayClusterDriver,
      dashboardUrl: entry.getString('dashboardUrl').replace(/\/+$/, ''),
      token: entry.getOptionalString('token') || undefined,
    };
  });
  const names = clusters.map(c => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new InputError(`Ray cluster "${duplicate}" is configured twice`);
  }
  return clusters;
}
