import { mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import { MlflowRestClient, requireTestService } from '@internal/mlops-node';
import { randomUUID } from 'node:crypto';
import {
  MODEL_ALIASES_ANNOTATION,
  MODEL_DATASET_ANNOTATION,
  MODEL_DATASET_VERSION_ANNOTATION,
  MODEL_LINEAGE_VERSION_ANNOTATION,
  MODEL_TRAINING_RUN_ANNOTATION,
  ModelEntityProvider,
} from './ModelEntityProvider';

jest.setTimeout(60_000);

const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const mlflow = new MlflowRestClient(mlflowUrl, {
  username: requireTestService('MLOPS_TEST_MLFLOW_USERNAME'),
  password: requireTestService('MLOPS_TEST_MLFLOW_PASSWORD'),
});

async function mlflowCall<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  params: Record<string, unknown>,
): Promise<T> {
  const answer = await mlflow.call<T>(
    method,
    `/api/2.0/mlflow/${path}`,
    params,
  );
  if (!answer.ok)
    throw new Error(`${path}: ${answer.status} ${answer.message}`);
  return answer.body;
}

const suffix = randomUUID().slice(0, 8);
const modelName = `Catalog Digits ${suffix}`;
const entityName = `catalog-digits-${suffix}`;
const ownerless = `catalog-ownerless-${suffix}`;

const dataset: Dataset = {
  id: `ds-${suffix}`,
  name: 'digits',
  owner: 'group:default/team-a',
  createdAt: '2026-12-01T00:00:00.000Z',
  latestVersion: 'v-2',
} as Dataset;

const deployment = {
  id: `dep-${suffix}`,
  name: 'digits-api',
  owner: 'group:default/team-a',
  modelName,
  modelVersion: '1',
  cluster: 'alpha',
  state: 'HEALTHY',
  versions: [{ version: '1', weight: 100 }],
  createdAt: '2026-12-02T00:00:00.000Z',
  updatedAt: '2026-12-02T00:00:00.000Z',
} as ModelDeployment;

let runId: string;

beforeAll(async () => {
  const { experiment_id: experimentId } = await mlflowCall<{
    experiment_id: string;
  }>('POST', 'experiments/create', { name: `catalog-models-${suffix}` });
  ({
    run: {
      info: { run_id: runId },
    },
  } = await mlflowCall<{ run: { info: { run_id: string } } }>(
    'POST',
    'runs/create',
    { experiment_id: experimentId },
  ));
  await mlflowCall('POST', 'registered-models/create', {
    name: modelName,
    tags: [{ key: 'mlops.owner', value: 'group:default/team-a' }],
  });
  for (const datasetVersion of ['v-1', 'v-2']) {
    await mlflowCall('POST', 'model-versions/create', {
      name: modelName,
      source: `runs:/${runId}/model`,
      run_id: runId,
      tags: [
        { key: 'mlops.dataset.id', value: dataset.id },
        { key: 'mlops.dataset.version', value: datasetVersion },
      ],
    });
  }
  await mlflowCall('POST', 'registered-models/alias', {
    name: modelName,
    alias: 'champion',
    version: '1',
  });
  await mlflowCall('POST', 'registered-models/create', { name: ownerless });
});

afterAll(async () => {
  for (const name of [modelName, ownerless]) {
    await mlflow.call('DELETE', '/api/2.0/mlflow/registered-models/delete', {
      name,
    });
  }
});

/** A catalog connection that records each mutation. */
function recordingConnection() {
  const mutations: EntityProviderMutation[] = [];
  const connection: EntityProviderConnection = {
    applyMutation: async mutation => {
      mutations.push(mutation);
    },
    refresh: async () => {},
  };
  return { connection, mutations };
}

type Removal = { entityRef: string };

const ours = (entities: DeferredEntity[]): Entity | undefined =>
  entities.find(e => e.entity.metadata.name === entityName)?.entity;
const ourRef = `component:default/${entityName}`;
const refOf = (e: DeferredEntity | Removal) =>
  'entity' in e ? stringifyEntityRef(e.entity) : e.entityRef;

describe('ModelEntityProvider', () => {
  it("puts each team's registered model in the catalog with its lineage, and applies only what changed", async () => {
    const provider = new ModelEntityProvider(
      {
        mlflow,
        datasets: { list: async () => [dataset] },
        deployments: { list: async () => [deployment] },
      },
      'http://portal.example',
      {
        taskRunner: { run: async () => {} },
        logger: mockServices.logger.mock(),
      },
    );
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    /** What the delta mutations from the `from`th on added and removed; never a full one. */
    const deltasSince = (from: number) => {
      const later = mutations.slice(from);
      expect(later.map(m => m.type)).not.toContain('full');
      return {
        added: later.flatMap(m => (m.type === 'delta' ? m.added : [])),
        removed: later.flatMap(m => (m.type === 'delta' ? m.removed : [])),
      };
    };

    await provider.refresh();
    expect(mutations[0].type).toBe('full');
    const all = mutations[0].type === 'full' ? mutations[0].entities : [];
    expect(all.map(e => e.entity.metadata.name)).not.toContain(ownerless);
    const entity = ours(all);
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        title: modelName,
        tags: ['ml-model', 'mlflow'],
        annotations: {
          'backstage.io/managed-by-location': 'mlops-models:provider',
          [MODEL_ALIASES_ANNOTATION]: '{"champion":"1"}',
          [MODEL_LINEAGE_VERSION_ANNOTATION]: '1',
          [MODEL_TRAINING_RUN_ANNOTATION]: runId,
          [MODEL_DATASET_ANNOTATION]: dataset.id,
          [MODEL_DATASET_VERSION_ANNOTATION]: 'v-1',
        },
      },
      spec: {
        type: 'ml-model',
        lifecycle: 'production',
        owner: 'group:default/team-a',
        dependsOn: ['resource:default/digits'],
        providesApis: ['api:default/digits-api'],
      },
    });
    expect(entity?.metadata.links?.[0].url).toBe(
      `http://portal.example/serving?deploy=${encodeURIComponent(
        modelName,
      )}&version=1`,
    );

    // Nothing of this model changed: it is not sent again.
    await provider.refresh();
    const unchanged = deltasSince(1);
    expect(ours(unchanged.added)).toBeUndefined();
    expect(unchanged.removed.map(refOf)).not.toContain(ourRef);

    // The champion moves: the entity follows with version 2's lineage.
    await mlflowCall('POST', 'registered-models/alias', {
      name: modelName,
      alias: 'champion',
      version: '2',
    });
    const before = mutations.length;
    await provider.refresh();
    expect(ours(deltasSince(before).added)?.metadata.annotations).toMatchObject(
      {
        [MODEL_ALIASES_ANNOTATION]: '{"champion":"2"}',
        [MODEL_LINEAGE_VERSION_ANNOTATION]: '2',
        [MODEL_DATASET_VERSION_ANNOTATION]: 'v-2',
      },
    );

    // A deleted model leaves the catalog.
    await mlflowCall('DELETE', 'registered-models/delete', { name: modelName });
    const beforeDelete = mutations.length;
    await provider.refresh();
    expect(deltasSince(beforeDelete).removed.map(refOf)).toContain(ourRef);
  });
});
