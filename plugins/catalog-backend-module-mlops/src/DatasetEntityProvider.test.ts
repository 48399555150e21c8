import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
// The test runs the real datasets backend beside this module.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import datasetsPlugin from '@internal/backstage-plugin-datasets-backend';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  datasetEntities,
  DatasetEntityProvider,
} from './DatasetEntityProvider';
import { catalogModuleMlops } from './module';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function recordingConnection() {
  const mutations: any[] = [];
  const connection: EntityProviderConnection = {
    applyMutation: async mutation => {
      mutations.push(mutation);
    },
    refresh: async () => {},
  };
  return { connection, mutations };
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'catalog-mlops-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('DatasetEntityProvider', () => {
  it('puts the datasets of a real datasets backend in the catalog, read with service credentials', async () => {
    const providers: EntityProvider[] = [];
    const knex = await databases.init('SQLITE_3');
    const { server } = await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addEntityProvider: (p: EntityProvider) => providers.push(p),
          },
        ],
      ],
      features: [
        catalogModuleMlops,
        datasetsPlugin,
        mockServices.database.factory({ knex }),
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/ada',
            ownershipEntityRefs: ['user:default/ada', 'group:default/vision'],
          }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            mlops: {
              datasets: {
                objectStore: { type: 'local', root: join(tmp, 'store') },
                samples: { enabled: false },
              },
            },
          },
        }),
      ],
    });
    const created = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'iris', description: 'Flowers' })
      .expect(201);
    await request(server)
      .post(`/api/datasets/datasets/${created.body.id}/files`)
      .query({ path: 'train.csv' })
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from('a,b,label\n1,2,x\n'))
      .expect(201);
    const { body: iris } = await request(server)
      .get(`/api/datasets/datasets/${created.body.id}`)
      .expect(200);
    expect(iris.latestVersion).toMatch(/^[0-9a-f]{64}$/);
    const empty = await request(server)
      .post('/api/datasets/datasets')
      .send({ name: 'empty' })
      .expect(201);

    expect(providers.map(p => p.getProviderName())).toEqual([
      'mlops-datasets',
      'mlops-deployments',
    ]);
    const provider = providers[0] as DatasetEntityProvider;
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    await provider.refresh();

    expect(mutations).toHaveLength(1);
    expect(mutations[0].type).toBe('full');
    const entities = mutations[0].entities.map((e: any) => e.entity);
    expect(entities).toEqual([
      expect.objectContaining({
        kind: 'Resource',
        metadata: expect.objectContaining({
          name: 'iris',
          title: 'iris',
          description: 'Flowers',
          annotations: expect.objectContaining({
            'mlops-portal.io/dataset-id': iris.id,
            'mlops-portal.io/dataset-version': iris.latestVersion,
            'mlops-portal.io/dataset-format': 'csv',
          }),
          links: [
            {
              url: `http://portal.example/datasets/${iris.id}`,
              title: 'Dataset in the portal',
            },
          ],
        }),
        spec: { type: 'dataset', owner: 'group:default/vision' },
      }),
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'empty' }),
        spec: { type: 'dataset', owner: 'group:default/vision' },
      }),
    ]);
    expect(
      entities[1].metadata.annotations['mlops-portal.io/dataset-version'],
    ).toBeUndefined();
    expect(entities[1].metadata.annotations['mlops-portal.io/dataset-id']).toBe(
      empty.body.id,
    );
  });

  it('gives datasets of the same name in different teams distinct entity names', () => {
    const dataset = (
      id: string,
      owner: string,
      createdAt: string,
    ): Dataset => ({
      id,
      name: 'mnist..v2',
      owner,
      createdAt,
      updatedAt: createdAt,
    });
    const entities = datasetEntities(
      [
        dataset('bbbbbbbb-2', 'group:default/b', '2026-01-02T00:00:00Z'),
        dataset('aaaaaaaa-1', 'group:default/a', '2026-01-01T00:00:00Z'),
      ],
      'http://portal',
    );
    expect(entities.map(e => [e.metadata.name, e.spec?.owner])).toEqual([
      ['mnist-v2', 'group:default/a'],
      ['mnist-v2-bbbbbbbb', 'group:default/b'],
    ]);
  });
});
