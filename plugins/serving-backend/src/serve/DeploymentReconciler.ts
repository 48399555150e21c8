import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentSync, observationChanged } from './DeploymentSync';

/**
 * Follows Ray Serve for the deployments that have not settled: writes again those whose sync
 * failed, stores what Ray says of the others (DEPLOYING until Serve reports RUNNING, then
 * HEALTHY; UNHEALTHY with Ray's message in plain words), and removes the versions that lost
 * their traffic once the change has settled.
 */
export class DeploymentReconciler {
  constructor(
    private readonly deps: {
      store: DatabaseDeploymentStore;
      sync: DeploymentSync;
      logger: LoggerService;
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
