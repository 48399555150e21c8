import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import {
  DeploymentSync,
  ObservedDeployment,
  observationChanged,
} from './DeploymentSync';

/**
 * Follows Ray Serve for the deployments that have not settled: writes again those whose sync
 * failed, stores what Ray says of the others (DEPLOYING until Serve reports RUNNING, then
 * HEALTHY; UNHEALTHY with Ray's message in plain words), and removes the versions that lost
 * their traffic once the change has settled. Every few passes it also checks the HEALTHY ones,
 * one read per cluster, so that a replica that keeps failing or a restarted Ray shows.
 */
export class DeploymentReconciler {
  private passes = 0;

  constructor(
    private readonly deps: {
      store: DatabaseDeploymentStore;
      sync: DeploymentSync;
      logger: LoggerService;
      /** Check the HEALTHY deployments on every n-th pass (default 6: every 30 s). */
      healthyEveryPasses?: number;
    },
  ) {}

  /** Runs every `seconds` on Backstage's scheduler, in each backend instance. */
  async schedule(scheduler: SchedulerService, seconds = 5): Promise<void> {
    await scheduler.scheduleTask({
      id: 'serving-deployment-reconciler',
      scope: 'local',
      frequency: { seconds },
      timeout: { seconds: 120 },
      fn: () => this.reconcileOnce(),
    });
  }

  /** One pass over the unsettled deployments; one failing never stops the others. */
  async reconcileOnce(): Promise<void> {
    if (this.passes++ % (this.deps.healthyEveryPasses ?? 6) === 0) {
      await this.checkHealthy();
    }
    for (const unsettled of await this.deps.store.listUnsettled()) {
      const { deployment } = unsettled;
      try {
        await this.reconcile(unsettled);
      } catch (error) {
        if (!isError(error)) throw error;
        this.deps.logger.warn(
          `Deployment ${deployment.id} (${deployment.name} on ${deployment.cluster}) could not be reconciled: ${error.message}`,
        );
      }
    }
  }

  private async reconcile(options: {
    deployment: ModelDeploymentDetails;
    syncPending: boolean;
    draining: string[];
  }): Promise<void> {
    const { deployment, syncPending, draining } = options;
    const { store, sync } = this.deps;
    if (syncPending) {
      await this.syncAgain(deployment);
      return;
    }
    const observed = await sync.observe(deployment);
    if (observationChanged(deployment, observed)) {
      await store.setObservedState(deployment.id, observed);
    }
    // HEALTHY on the previous pass too, and no replica starting or stopping: the ingress that
    // could still send requests to the draining versions is gone.
    if (
      draining.length &&
      deployment.state === 'HEALTHY' &&
      observed.state === 'HEALTHY' &&
      observed.replicasSettled &&
      (await store.endDraining(deployment.id, deployment.updatedAt))
    ) {
      await this.syncAgain(deployment);
    }
  }

  /** Stores what Ray says of the HEALTHY deployments, when it says something else. */
  private async checkHealthy(): Promise<void> {
    const { store, sync, logger } = this.deps;
    const byCluster = new Map<string, ModelDeploymentDetails[]>();
    for (const deployment of await store.listSettled()) {
      byCluster.set(deployment.cluster, [
        ...(byCluster.get(deployment.cluster) ?? []),
        deployment,
      ]);
    }
    for (const [cluster, deployments] of byCluster) {
      let observed: Map<string, ObservedDeployment>;
      try {
        observed = await sync.observeCluster(cluster, deployments);
      } catch (error) {
        if (!isError(error)) throw error;
        logger.warn(
          `Ray cluster "${cluster}" does not answer: ${error.message}`,
        );
        const unreachable: ObservedDeployment = {
          state: 'UNHEALTHY',
          message: `Ray cluster "${cluster}" does not answer: ${error.message}`,
        };
        observed = new Map(deployments.map(d => [d.id, unreachable]));
      }
      for (const deployment of deployments) {
        const { replicasSettled: _, ...now } = observed.get(deployment.id)!;
        if (observationChanged(deployment, now)) {
          await store.setObservedState(deployment.id, now);
        }
      }
    }
  }

  /** Writes the stored deployment to Ray again; a failure leaves it pending for the next pass. */
  private async syncAgain(deployment: ModelDeploymentDetails): Promise<void> {
    const { store, sync } = this.deps;
    // A change made meanwhile was synced by its route: writing this read would undo it.
    const current = await store.getDeployment(deployment.id);
    if (!current || current.updatedAt !== deployment.updatedAt) return;
    try {
      const { replicasSettled: _, ...observed } = await sync.sync(current);
      await store.setObservedState(current.id, {
        ...observed,
        syncPending: false,
      });
    } catch (error) {
      if (!isError(error)) throw error;
      await store.setObservedState(current.id, {
        state: 'UNHEALTHY',
        message: `Ray Serve on cluster "${current.cluster}" has not taken the change yet (retrying): ${error.message}`,
        syncPending: true,
      });
    }
  }
}
