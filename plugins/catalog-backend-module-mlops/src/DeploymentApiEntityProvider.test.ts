import SwaggerParser from '@apidevtools/swagger-parser';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ModelDeployment,
  ModelDeploymentDetails,
} from '@internal/backstage-plugin-serving-common';
import {
  deploymentApiEntities,
  DeploymentApiEntityProvider,
} from './DeploymentApiEntityProvider';
import { catalogModuleMlops } from './module';

jest.setTimeout(60_000);

const canary: ModelDeploymentDetails = {
  id: '5f0c2a9e-aaaa-4bbb-8ccc-000000000001',
  name: 'fraud',
  owner: 'group:default/team-a',
  modelName: 'fraud-model',
  modelVersion: '3',
  cluster: 'alpha',
  state: 'HEALTHY',
  endpoint: 'http://ray-alpha.example:8000/fraud',
  versions: [
    { version: '2', weight: 0 },
    { version: '3', weight: 80 },
    { version: '4', weight: 20 },
  ],
  scaling: { replicas: 2 },
  resources: { cpus: 1, gpus: 0 },
  createdBy: 'user:default/alice',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-02T00:00:00.000Z',
};
const deploying: ModelDeploymentDetails = {
  ...canary,
  id: '9b1d7c3e-bbbb-4ccc-8ddd-000000000002',
  name: 'mnist',
  owner: 'group:default/vision',
  modelName: 'mnist-cnn',
  modelVersion: '1',
  cluster: 'beta',
  state: 'DEPLOYING',
  endpoint: undefined,
  versions: [{ version: '1', weight: 100 }],
  createdAt: '2026-12-03T00:00:00.000Z',
};

function summary(deployment: ModelDeploymentDetails): ModelDeployment {
  const { scaling, resources, createdBy, ...rest } = deployment;
  return rest;
}

/**
 * The serving plugin's HTTP API as the provider sees it: `GET /deployments` (summaries with
 * versions, newest first, `limit` from `offset`), for backend services only.
 */
function servingApi(state: {
  deployments: ModelDeploymentDetails[];
  /** Refuses backend services, as a plugin that serves signed-in users only does. */
  usersOnly?: boolean;
  callers: string[];
}) {
  return createBackendPlugin({
    pluginId: 'serving',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          httpRouter.use(async (req, res, next) => {
            const credentials = await httpAuth.credentials(req, {
              allow: [state.usersOnly ? 'user' : 'service'],
            });
            const { principal } = credentials;
            state.callers.push(
              'subject' in principal
                ? principal.subject
                : principal.userEntityRef,
            );
            if (req.method !== 'GET' || req.path !== '/deployments') {
              return next();
            }
            const limit = Number(req.query.limit ?? 20);
            const offset = Number(req.query.offset ?? 0);
            res.json({
              items: [...state.deployments]
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                .slice(offset, offset + limit)
                .map(summary),
            });
            return undefined;
          });
        },
      });
    },
  });
}

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

async function startWithServing(state: Parameters<typeof servingApi>[0]) {
  const providers: EntityProvider[] = [];
  await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        { addEntityProvider: (p: EntityProvider) => providers.push(p) },
      ],
    ],
    features: [
      catalogModuleMlops,
      servingApi(state),
      mockServices.rootConfig.factory({
        data: { app: { baseUrl: 'http://portal.example' } },
      }),
    ],
  });
  const provider = providers.find(
    p => p.getProviderName() === 'mlops-deployments',
  );
  if (!provider) throw new Error('the module added no deployment provider');
  return provider as DeploymentApiEntityProvider;
}

/** A validated copy: SwaggerParser dereferences the document it is given. */
function validOpenApi(definition: string) {
  return SwaggerParser.validate(JSON.parse(definition));
}

describe('DeploymentApiEntityProvider', () => {
  it('puts every deployment in the catalog as an API, read with service credentials, and drops deleted ones', async () => {
    const state = {
      deployments: [canary, deploying],
      callers: [] as string[],
    };
    const provider = await startWithServing(state);
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);

    await provider.refresh();
    expect(state.callers).toHaveLength(1);
    expect(new Set(state.callers)).toEqual(new Set(['plugin:catalog']));
    expect(mutations).toHaveLength(1);
    expect(mutations[0].type).toBe('full');
    const entities = mutations[0].entities.map((e: any) => e.entity);
    expect(entities.map((e: any) => e.metadata.name)).toEqual([
      'fraud',
      'mnist',
    ]);
    const [fraud, mnist] = entities;
    expect(fraud).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: {
        name: 'fraud',
        title: 'fraud-model (fraud)',
        description:
          'Inference API (Open Inference Protocol v2) of model fraud-model, versions 3, 4, on Ray cluster alpha.',
        tags: ['inference', 'open-inference-protocol', 'ray-serve'],
        annotations: {
          'backstage.io/managed-by-location': 'mlops-deployments:provider',
          'backstage.io/managed-by-origin-location':
            'mlops-deployments:provider',
          'mlops-portal.io/deployment-id': canary.id,
          'mlops-portal.io/deployment-endpoint':
            'http://ray-alpha.example:8000/fraud',
          'mlops-portal.io/deployment-state': 'HEALTHY',
          'mlops-portal.io/deployment-versions': '3,4',
          'mlops-portal.io/deployment-weights': '{"3":80,"4":20}',
          'mlops-portal.io/model-name': 'fraud-model',
          'mlops-portal.io/model-version': '3',
          'mlops-portal.io/ray-cluster': 'alpha',
        },
        links: [
          {
            url: `http://portal.example/serving/deployments/${canary.id}`,
            title: 'Deployment in the portal',
          },
        ],
      },
      spec: {
        type: 'openapi',
        lifecycle: 'production',
        owner: 'group:default/team-a',
        definition: expect.any(String),
      },
    });
    expect(mnist.spec.owner).toBe('group:default/vision');
    expect(mnist.metadata.annotations).toEqual(
      expect.objectContaining({
        'mlops-portal.io/deployment-state': 'DEPLOYING',
        'mlops-portal.io/deployment-versions': '1',
        'mlops-portal.io/deployment-weights': '{"1":100}',
      }),
    );
    expect(
      mnist.metadata.annotations['mlops-portal.io/deployment-endpoint'],
    ).toBeUndefined();

    const api: any = await validOpenApi(fraud.spec.definition);
    expect(api.servers).toEqual([
      { url: 'http://ray-alpha.example:8000/fraud' },
    ]);
    expect(api.info.description).toContain('version 3: 80%, version 4: 20%');
    expect(Object.keys(api.paths)).toEqual([
      '/v2/health/live',
      '/v2/health/ready',
      '/v2',
      '/v2/models/fraud',
      '/v2/models/fraud/ready',
      '/v2/models/fraud/infer',
      '/v2/models/fraud/versions/{version}',
      '/v2/models/fraud/versions/{version}/ready',
      '/v2/models/fraud/versions/{version}/infer',
    ]);
    const pinnedInfer = api.paths['/v2/models/fraud/versions/{version}/infer'];
    expect(pinnedInfer.parameters[0].schema.enum).toEqual(['3', '4']);
    expect(
      pinnedInfer.post.requestBody.content['application/json'].schema.required,
    ).toEqual(['inputs']);
    expect(
      api.paths['/v2/models/fraud/infer'].post.responses['429'].headers,
    ).toHaveProperty('Retry-After');
    const broken = JSON.parse(fraud.spec.definition);
    delete broken.components.schemas.inference_request;
    await expect(SwaggerParser.validate(broken)).rejects.toThrow(
      /inference_request/,
    );
    const mnistApi: any = await validOpenApi(mnist.spec.definition);
    expect(mnistApi.servers).toBeUndefined();
    expect(Object.keys(mnistApi.paths)).toContain('/v2/models/mnist/infer');

    // The canary deployment is deleted.
    state.deployments = [deploying];
    await provider.refresh();
    expect(mutations).toHaveLength(2);
    expect(mutations[1].type).toBe('full');
    expect(
      mutations[1].entities.map((e: any) => e.entity.metadata.name),
    ).toEqual(['mnist']);
  });

  it('reads every page of a long list', async () => {
    const many = Array.from({ length: 230 }, (_, i) => ({
      ...canary,
      id: `id-${i}`,
      name: `d${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    }));
    const state = { deployments: many, callers: [] as string[] };
    const provider = await startWithServing(state);
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    await provider.refresh();
    expect(state.callers).toHaveLength(3);
    const names = mutations[0].entities.map((e: any) => e.entity.metadata.name);
    expect(new Set(names)).toEqual(new Set(many.map(d => d.name)));
  });

  it('replaces nothing when the serving plugin refuses the call', async () => {
    const provider = await startWithServing({
      deployments: [canary],
      callers: [],
      usersOnly: true,
    });
    const { connection, mutations } = recordingConnection();
    await provider.connect(connection);
    await expect(provider.refresh()).rejects.toThrow(/403 Forbidden/);
    expect(mutations).toHaveLength(0);
  });

  it('gives deployments of the same slug on different clusters distinct entity names', () => {
    const entities = deploymentApiEntities(
      [
        {
          ...deploying,
          id: 'bbbbbbbb-2',
          name: 'fraud',
          createdAt: '2026-12-02T00:00:00Z',
        },
        { ...canary, id: 'aaaaaaaa-1', createdAt: '2026-12-01T00:00:00Z' },
      ],
      'http://portal',
    );
    expect(entities.map(e => [e.metadata.name, e.spec?.owner])).toEqual([
      ['fraud', 'group:default/team-a'],
      ['fraud-bbbbbbbb', 'group:default/vision'],
    ]);
  });
});
