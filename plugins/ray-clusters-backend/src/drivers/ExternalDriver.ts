import { InputError } from '@backstage/errors';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { EndpointGuard } from '@internal/mlops-node';
import { StoredCluster } from '../database/ClusterStore';
import { ClusterConnection, ClusterDriver } from './types';

/**
 * An existing Ray cluster given by dashboard address and token: the portal only checks that it
 * answers; it neither starts, resizes nor stops it. The address is a user's, so it passes the
 * endpoint guard (no loopback, private or metadata addresses unless allow-listed) when given and
 * before every request.
 */
export class ExternalDriver implements ClusterDriver {
  constructor(private readonly options: { endpointGuard: EndpointGuard }) {}

  async validate(cluster: StoredCluster): Promise<void> {
    if (!cluster.dashboardUrl) {
      throw new InputError('dashboardUrl is required for an external cluster');
    }
    await this.options.endpointGuard.check(
      cluster.dashboardUrl,
      'Ray dashboard',
    );
    await this.start(cluster);
  }

  /** The health check: the cluster's dashboard answers with the token. */
  async start(cluster: StoredCluster): Promise<ClusterConnection> {
    const connection = {
      dashboardUrl: cluster.dashboardUrl!,
      token: cluster.token,
    };
    try {
      await new RayDashboardClient({
        ...connection,
        endpointGuard: this.options.endpointGuard,
      }).getVersion();
    } catch (error) {
      throw new InputError(
        `External Ray cluster "${cluster.name}" failed its health check: ${
          (error as Error).message
        }`,
      );
    }
    return connection;
  }

  async stop(): Promise<void> {}

  async scale(cluster: StoredCluster): Promise<ClusterConnection> {
    throw new InputError(
      `Ray cluster "${cluster.name}" is external: the portal cannot resize it; resize it where it runs`,
    );
  }

  async delete(): Promise<void> {
    // The portal forgets the cluster; the cluster itself keeps running.
  }

  isRunning(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}
