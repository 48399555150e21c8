import { TestDatabases } from '@backstage/backend-test-utils';
import {
  buildRayCluster,
  CPU_WORKER_GROUP,
  GPU_WORKER_GROUP,
  KubeRayApi,
  KubeRayManifest,
} from '@internal/backstage-plugin-ray-clusters-node';
import { alice, createTestRegistry } from '../__testUtils__/registry';
import { kubeRayClusterInput, KubeRayDriver } from './KubeRayDriver';

/** Records the calls the driver makes; KubeRayClient's own tests cover the HTTP boundary. */
function recordingKubeRay() {
  const calls: Array<[string, ...unknown[]]> = [];
  let polls = 0;
  const api: KubeRayApi = {
    async create(manifest: KubeRayManifest) {
      calls.push(['create', manifest]);
    },
    async getStatus(kind, namespace, name) {
      calls.push(['getStatus', kind, namespace, name]);
      polls += 1;
      return polls < 2
        ? { phase: 'pending', ready: false }
        : {
            phase: 'ready',
            ready: true,
            dashboardUrl: `http://${name}-head-svc.${namespace}.svc.cluster.local:8265`,
          };
    },
    async scaleWorkerGroup(namespace, clusterName, group, scale) {
      calls.push(['scale', namespace, clusterName, group, scale]);
    },
    async delete(kind, namespace, name) {
      calls.push(['delete', kind, namespace, name]);
    },
    async readDashboardToken(kind, namespace, name) {
      calls.push(['token', kind, namespace, name]);
      return 'token-from-secret';
    },
  };
  return { api, calls };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('kuberay driver', () => {
  it('creates the team RayCluster, waits until ready, scales worker groups and deletes it', async () => {
    const { api, calls } = recordingKubeRay();
    const { registry } = await createTestRegistry(databases, () => ({
      kuberay: new KubeRayDriver({
        api,
        namespace: 'ray-teams',
        readyTimeoutMs: 10_000,
        pollIntervalMs: 10,
      }),
    }));
    const spec = { cpus: 4, gpus: 1, idleTimeoutSeconds: 0 };
    await registry.create(
      { name: 'team-a-k8s', driver: 'kuberay', ...spec },
      alice,
    );
    await registry.settled();

    expect(calls[0]).toEqual([
      'create',
      buildRayCluster(
        kubeRayClusterInput(
          { name: 'team-a-k8s', owner: 'group:default/team-a' },
          { ...spec, memoryBytes: undefined },
          'ray-teams',
        ),
      ),
    ]);
    expect(calls.filter(c => c[0] === 'getStatus')).toHaveLength(2);
    expect(registry.get('team-a-k8s')).toMatchObject({
      state: 'ready',
      dashboardUrl:
        'http://team-a-k8s-head-svc.ray-teams.svc.cluster.local:8265',
      token: 'token-from-secret',
    });

    await registry.scale('team-a-k8s', { cpus: 2, gpus: 2 });
    expect(calls.filter(c => c[0] === 'scale')).toEqual([
      [
        'scale',
        'ray-teams',
        'team-a-k8s',
        CPU_WORKER_GROUP,
        { replicas: 2, minReplicas: 0, maxReplicas: 2 },
      ],
      [
        'scale',
        'ray-teams',
        'team-a-k8s',
        GPU_WORKER_GROUP,
        { replicas: 2, minReplicas: 0, maxReplicas: 2 },
      ],
    ]);
    expect(registry.get('team-a-k8s')?.spec).toMatchObject({
      cpus: 2,
      gpus: 2,
    });
    expect((await registry.describe('team-a-k8s')).maxGpus).toBe(2);

    await registry.delete('team-a-k8s');
    expect(calls.at(-1)).toEqual([
      'delete',
      'RayCluster',
      'ray-teams',
      'team-a-k8s',
    ]);
    expect(registry.get('team-a-k8s')).toBeUndefined();
    await registry.close();
  });
});
