import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { DatabaseDeploymentStore } from '../database/DatabaseDeploymentStore';
import { DeploymentReconciler } from './DeploymentReconciler';
import { DeploymentSync, ObservedDeployment } from './DeploymentSync';

// Ray Serve itself is followed in serving.e2e.test.ts; here, the reconciler's rules on a real
// store, with a Serve whose answers the test sets.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

class ScriptedSync implements DeploymentSync {
  observed: ObservedDeployment = { state: 'DEPLOYING' };
  failSync: string | undefined;
  readonly synced: string[] = [];
  async sync(deployment: ModelDeploymentDetails) {
    if (this.failSync) throw new Error(this.failSync);
    this.synced.push(deployment.id);
    return this.observed;
  }
  async remove() {}
  async observe() {
    if (this.failCluster) throw new Error(this.failCluster);
    return this.observed;
  }
  failCluster: string | undefined;
  readonly clusterReads: string[] = [];
  async observeCluster(cluster: string, deployments: ModelDeploymentDetails[]) {
    this.clusterReads.push(cluster);
    if (this.failCluster) throw new Error(this.failCluster);
    return new Map(deployments.map(d => [d.id, this.observed]));
  }
}

const now = new Date().toISOString();
const deployment: ModelDeploymentDetails = {
  id: '6f1c2f4e-0000-4000-8000-000000000001',
  name: 'digits',
  owner: 'group:default/team-a',
  modelName: 'digits',
  modelVersion: '1',
  cluster: 'alpha',
  state: 'DEPLOYING',
  versions: [{ version: '1', weight: 100 }],
  scaling: { replicas: 1 },
  resources: { cpus: 0.1, gpus: 0 },
  createdBy: 'user:default/alice',
  createdAt: now,
  updatedAt: now,
};

async function setup(healthyEveryPasses?: number) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.insertDeployment(deployment);
  const sync = new ScriptedSync();
  const reconciler = new DeploymentReconciler({
    store,
    sync,
    logger: mockServices.logger.mock(),
    healthyEveryPasses,
  });
  return { store, sync, reconciler };
}

describe('DeploymentReconciler', () => {
  it("stores Ray's state until the deployment is HEALTHY, then leaves it alone", async () => {
    const { store, sync, reconciler } = await setup();
    await reconciler.reconcileOnce();
    expect((await store.getDeployment(deployment.id))!.state).toBe('DEPLOYING');

    sync.observed = {
      state: 'UNHEALTHY',
      message: 'Ray Serve could not deploy it: the model does not load',
    };
    await reconciler.reconcileOnce();
    expect(await store.getDeployment(deployment.id)).toMatchObject({
      state: 'UNHEALTHY',
      message: 'Ray Serve could not deploy it: the model does not load',
    });

    sync.observed = { state: 'HEALTHY', endpoint: 'http://ray:8000/digits' };
    await reconciler.reconcileOnce();
    expect(await store.getDeployment(deployment.id)).toMatchObject({
      state: 'HEALTHY',
      endpoint: 'http://ray:8000/digits',
    });
    expect(await store.listUnsettled()).toEqual([]);
  });

  it('writes a deployment again after a failed sync until Ray takes it', async () => {
    const { store, sync, reconciler } = await setup();
    await store.setObservedState(deployment.id, {
      state: 'UNHEALTHY',
      message: 'not taken',
      syncPending: true,
    });
    sync.failSync = 'Ray at http://ray:8265 is unreachable';
    await reconciler.reconcileOnce();
    expect(await store.getDeployment(deployment.id)).toMatchObject({
      state: 'UNHEALTHY',
      message: expect.stringContaining('Ray at http://ray:8265 is unreachable'),
    });
    expect(sync.synced).toEqual([]);

    sync.failSync = undefined;
    sync.observed = { state: 'DEPLOYING' };
    await reconciler.reconcileOnce();
    expect(sync.synced).toEqual([deployment.id]);
    expect((await store.getDeployment(deployment.id))!.state).toBe('DEPLOYING');
    // Taken: from now on only observed, not written.
    sync.observed = { state: 'HEALTHY' };
    await reconciler.reconcileOnce();
    expect(sync.synced).toEqual([deployment.id]);
    expect((await store.getDeployment(deployment.id))!.state).toBe('HEALTHY');
  });

  it('removes a version that lost its traffic once the change has settled', async () => {
    const { store, sync, reconciler } = await setup();
    await store.updateDeployment(deployment.id, current => ({
      deployment: {
        ...current,
        state: 'HEALTHY',
        modelVersion: '2',
        versions: [
          { version: '1', weight: 0 },
          { version: '2', weight: 100 },
        ],
      },
    }));
    expect(await store.getDraining(deployment.id)).toEqual(['1']);

    sync.observed = { state: 'HEALTHY', replicasSettled: false };
    await reconciler.reconcileOnce();
    expect(await store.getDraining(deployment.id)).toEqual(['1']);
    expect(sync.synced).toEqual([]);

    sync.observed = { state: 'HEALTHY', replicasSettled: true };
    await reconciler.reconcileOnce();
    expect(await store.getDraining(deployment.id)).toEqual([]);
    expect(sync.synced).toEqual([deployment.id]);
  });

  it('checks HEALTHY deployments every few passes, one read per cluster, and shows what went wrong', async () => {
    const { store, sync, reconciler } = await setup(3);
    const second = {
      ...deployment,
      id: '6f1c2f4e-0000-4000-8000-000000000002',
      name: 'b',
    };
    await store.insertDeployment(second);
    for (const d of [deployment, second]) {
      await store.setObservedState(d.id, { state: 'HEALTHY' });
    }
    sync.observed = { state: 'HEALTHY' };
    await reconciler.reconcileOnce();
    expect(sync.clusterReads).toEqual(['alpha']);
    await reconciler.reconcileOnce();
    await reconciler.reconcileOnce();
    expect(sync.clusterReads).toEqual(['alpha']);

    // Ray was restarted and lost the applications.
    sync.observed = {
      state: 'UNHEALTHY',
      message:
        'The application is not on the cluster: Ray Serve was restarted or it was removed there',
    };
    await reconciler.reconcileOnce();
    expect(sync.clusterReads).toEqual(['alpha', 'alpha']);
    for (const d of [deployment, second]) {
      expect(await store.getDeployment(d.id)).toMatchObject({
        state: 'UNHEALTHY',
        message: expect.stringContaining('Ray Serve was restarted'),
      });
    }

    // Back, then the cluster stops answering.
    sync.observed = { state: 'HEALTHY' };
    await reconciler.reconcileOnce();
    expect((await store.getDeployment(deployment.id))!.state).toBe('HEALTHY');
    sync.failCluster = 'connect ECONNREFUSED 127.0.0.1:8265';
    await reconciler.reconcileOnce();
    await reconciler.reconcileOnce();
    expect(await store.getDeployment(second.id)).toMatchObject({
      state: 'UNHEALTHY',
      message:
        'Ray cluster "alpha" does not answer: connect ECONNREFUSED 127.0.0.1:8265',
    });
  });
});
