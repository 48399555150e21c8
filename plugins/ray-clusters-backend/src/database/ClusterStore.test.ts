import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { ClusterStore, StoredCluster } from './ClusterStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const cluster: StoredCluster = {
  name: 'team-a-small',
  title: 'Team A small',
  owner: 'group:default/team-a',
  driver: 'local',
  spec: {
    cpus: 1.5,
    gpus: 0,
    memoryBytes: 6 * 1024 ** 3,
    idleTimeoutSeconds: 600,
  },
  state: 'starting',
  message: 'Starting',
  token: 'a'.repeat(64),
  instanceId: '0123456789ab',
  createdBy: 'user:default/alice',
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:00:00.000Z',
};

describe.each(databases.eachSupportedId())('ClusterStore on %p', databaseId => {
  it('stores, updates and deletes clusters, refusing a second of the same name', async () => {
    const knex = await databases.init(databaseId);
    const store = await ClusterStore.create(mockServices.database({ knex }));

    await store.insert(cluster);
    await expect(store.insert(cluster)).rejects.toThrow(ConflictError);
    expect(await store.get('team-a-small')).toEqual(cluster);

    await store.update('team-a-small', {
      state: 'ready',
      message: 'Ray head started',
      dashboardUrl: 'http://127.0.0.1:40000',
      spec: { cpus: 2, gpus: 1, idleTimeoutSeconds: 0 },
    });
    const updated = await store.get('team-a-small');
    expect(updated).toMatchObject({
      state: 'ready',
      dashboardUrl: 'http://127.0.0.1:40000',
      spec: { cpus: 2, gpus: 1, memoryBytes: undefined, idleTimeoutSeconds: 0 },
      token: cluster.token,
    });
    expect(await store.list()).toHaveLength(1);

    await store.delete('team-a-small');
    expect(await store.get('team-a-small')).toBeUndefined();
  });
});
