import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { RayClusterConfig } from '@internal/backstage-plugin-ray-clusters-node';
import { catalogModuleRayClusters } from './module';
import { RayClusterEntityProvider } from './RayClusterEntityProvider';

function recordingConnection() {
  const mutations: Parameters<EntityProviderConnection['applyMutation']>[0][] =
    [];
  const connection: EntityProviderConnection = {
    applyMutation: async mutation => {
      mutations.push(mutation);
    },
    refresh: async () => {},
  };
  return { connection, mutations };
}

const teamCluster: RayClusterConfig = {
  name: 'team-a-small',
  title: 'Team A small',
  owner: 'group:default/team-a',
  driver: 'local',
  dashboardUrl: 'http://127.0.0.1:41234',
  token: 'secret-token',
};

describe('RayClusterEntityProvider', () => {
  it('emits each cluster as a ray-cluster Resource owned by its team, without secrets', async () => {
    const clusters = [teamCluster];
    const provider = new RayClusterEntityProvider(
      { listClusters: () => clusters },
      'http://portal.example',
      {
        taskRunner: mockServices.scheduler().createScheduledTaskRunner({
          frequency: { seconds: 30 },
          timeout: { seconds: 30 },
        }),
        logger: mockServices.logger.mock(),
      },
    );
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    await provider.refresh();

    expect(mutations).toHaveLength(1);
    const mutation = mutations[0];
    expect(mutation.type).toBe('full');
    const [{ entity }] = (mutation as { entities: { entity: any }[] }).entities;
    expect(entity).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'team-a-small',
        title: 'Team A small',
        annotations: {
          'mlops-portal.io/ray-cluster': 'team-a-small',
          'mlops-portal.io/ray-driver': 'local',
        },
        links: [
          {
            url: 'http://portal.example/ray-clusters/team-a-small',
            title: 'Cluster in the portal',
          },
        ],
      },
      spec: { type: 'ray-cluster', owner: 'group:default/team-a' },
    });
    expect(JSON.stringify(mutation)).not.toContain('secret-token');

    // A deleted cluster leaves the catalog with the next full mutation.
    clusters.pop();
    await provider.refresh();
    expect(mutations[1]).toEqual({ type: 'full', entities: [] });
  });

  it('registers itself with the catalog when the module is installed', async () => {
    const providers: unknown[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addEntityProvider: (p: unknown) => providers.push(p) },
        ],
      ],
      features: [
        catalogModuleRayClusters,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            mlops: { rayClusters: { clusters: [{ ...teamCluster }] } },
          },
        }),
      ],
    });
    expect(providers).toHaveLength(1);
    const provider = providers[0] as RayClusterEntityProvider;
    expect(provider.getProviderName()).toBe('ray-clusters');
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    await provider.refresh();
    expect(
      (mutations[0] as { entities: { entity: any }[] }).entities.map(
        e => e.entity.spec.owner,
      ),
    ).toEqual(['group:default/team-a']);
  });
});
