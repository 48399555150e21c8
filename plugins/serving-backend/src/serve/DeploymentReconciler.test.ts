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
    return this.observed;
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

async function setup() {
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
});
