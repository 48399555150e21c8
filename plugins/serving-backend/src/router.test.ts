import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { ServeApplicationConfig } from '@internal/backstage-plugin-ray-clusters-node';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { DatabaseDeploymentStore } from './database/DatabaseDeploymentStore';
import { servingPlugin } from './plugin';
import { alice, bob, teamServices } from '@internal/mlops-node/testUtils';
import { DeploymentSync } from './serve/DeploymentSync';
import { deploymentSyncFactoryRef } from './serve/deploymentSyncFactory';
import { buildServeApplication } from './serve/ServeApplicationBuilder';
import {
  ModelRegistry,
  modelRegistryRef,
  ServingAlias,
} from './service/ModelRegistry';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** Records what would reach Ray Serve: the application config, built as for real. */
class RecordingSync implements DeploymentSync {
  readonly applications: ServeApplicationConfig[] = [];
  readonly removed: string[] = [];
  constructor(private readonly store: DatabaseDeploymentStore) {}
  async sync(deployment: ModelDeploymentDetails) {
    const keys = await this.store.listLiveApiKeys(deployment.id);
    this.applications.push(
      buildServeApplication({ deployment, keys, envVars: {} }),
    );
    return {
      state: 'DEPLOYING' as const,
      endpoint: `http://ray:8000/${deployment.name}`,
    };
  }
  async remove(deployment: ModelDeploymentDetails) {
    this.removed.push(deployment.name);
  }
  async observe() {
    return { state: 'HEALTHY' as const, endpoint: 'http://ray:8000/x' };
  }
  async observeCluster(
    _cluster: string,
    deployments: ModelDeploymentDetails[],
  ) {
    return new Map(deployments.map(d => [d.id, { state: 'HEALTHY' as const }]));
  }
}

/**
 * The registered models the routes may deploy (MLflow itself is tested in the end-to-end test):
 * team A's "mnist-cnn" with versions 1 to 5; the aliases the routes set.
 */
class TestRegistry implements ModelRegistry {
  readonly aliases: Record<string, string | undefined> = {};
  async checkVersion(owner: string, modelName: string, version: string) {
    if (modelName !== 'mnist-cnn' || owner !== 'group:default/team-a') {
      throw new NotFoundError(
        `${owner} has no registered model "${modelName}"`,
      );
    }
    if (!['1', '2', '3', '4', '5'].includes(version)) {
      throw new InputError(`"${modelName}" has no version ${version}`);
    }
  }
  async replicaEnv() {
    return {};
  }
  async setAlias(_model: string, alias: ServingAlias, version?: string) {
    this.aliases[alias] = version;
  }
}

async function startBackend() {
  const knex = await databases.init('SQLITE_3');
  let recording: RecordingSync | undefined;
  const registry = new TestRegistry();
  const { server } = await startTestBackend({
    features: [
      servingPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            rayClusters: {
              clusters: [
                {
                  name: 'alpha',
                  owner: 'group:default/team-a',
                  dashboardUrl: 'http://127.0.0.1:1',
                },
                {
                  name: 'beta',
                  owner: 'group:default/team-b',
                  dashboardUrl: 'http://127.0.0.1:1',
                },
              ],
            },
          },
        },
      }),
      ...teamServices(),
      createServiceFactory({
        service: deploymentSyncFactoryRef,
        deps: {},
        factory: () => ({
          create: ({ store }) => {
            recording = new RecordingSync(store);
            return recording;
          },
        }),
      }),
      createServiceFactory({
        service: modelRegistryRef,
        deps: {},
        factory: () => registry,
      }),
    ],
  });
  return { server, sync: () => recording!, registry };
}

const DEPLOY = {
  name: 'mnist',
  modelName: 'mnist-cnn',
  modelVersion: '1',
  cluster: 'alpha',
  replicas: 2,
  cpus: 0.5,
};

async function deploy(server: any, body: object = DEPLOY) {
  const res = await request(server)
    .post('/api/serving/deployments')
    .set('Authorization', alice)
    .send(body);
  expect(res.status).toBe(201);
  return res.body as ModelDeploymentDetails;
}

describe('serving routes', () => {
  it('deploys on a cluster of the team, and reads it back with versions and state', async () => {
    const { server, sync } = await startBackend();
    const created = await deploy(server);
    expect(created).toMatchObject({
      name: 'mnist',
      owner: 'group:default/team-a',
      modelVersion: '1',
      cluster: 'alpha',
      state: 'DEPLOYING',
      endpoint: 'http://ray:8000/mnist',
      versions: [{ version: '1', weight: 100 }],
      scaling: { replicas: 2 },
      resources: { cpus: 0.5, gpus: 0 },
      createdBy: 'user:default/alice',
    });
    expect(sync().applications[0]).toMatchObject({
      name: 'mlops-mnist',
      route_prefix: '/mnist',
      args: {
        versions: [
          {
            version: '1',
            model_uri: 'models:/mnist-cnn/1',
            num_replicas: 2,
            ray_actor_options: { num_cpus: 0.5, num_gpus: 0 },
          },
        ],
      },
    });

    const read = await request(server)
      .get(`/api/serving/deployments/${created.id}`)
      .set('Authorization', alice)
      .expect(200);
    expect(read.body).toMatchObject({ id: created.id, state: 'HEALTHY' });
    const list = await request(server)
      .get('/api/serving/deployments')
      .set('Authorization', alice)
      .expect(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([
      created.id,
    ]);

    const again = await request(server)
      .post('/api/serving/deployments')
      .set('Authorization', alice)
      .send(DEPLOY);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(
      'has a deployment named "mnist"',
    );
  });

  it('refuses bad deployments with a 400 naming the field, and clusters of other teams with 404', async () => {
    const { server } = await startBackend();
    const cases: Array<[object, RegExp]> = [
      [{ ...DEPLOY, name: 'Not A Slug' }, /name/],
      [{ ...DEPLOY, modelVersion: 'latest' }, /modelVersion/],
      [{ ...DEPLOY, replicas: 0 }, /replicas/],
      [
        { ...DEPLOY, autoscaling: { minReplicas: 1, maxReplicas: 2 } },
        /either replicas or autoscaling/,
      ],
      [
        {
          ...DEPLOY,
          replicas: undefined,
          autoscaling: { minReplicas: 3, maxReplicas: 2 },
        },
        /autoscaling.minReplicas/,
      ],
      [{ ...DEPLOY, surprise: true }, /surprise|additional/],
    ];
    for (const [body, message] of cases) {
      const res = await request(server)
        .post('/api/serving/deployments')
        .set('Authorization', alice)
        .send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
    const foreign = await request(server)
      .post('/api/serving/deployments')
      .set('Authorization', alice)
      .send({ ...DEPLOY, cluster: 'beta' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(
      'group:default/team-a has no Ray cluster named "beta"',
    );
    const unknownModel = await request(server)
      .post('/api/serving/deployments')
      .set('Authorization', alice)
      .send({ ...DEPLOY, modelName: 'someone-elses-model' });
    expect(unknownModel.status).toBe(404);
    expect(unknownModel.body.error.message).toContain(
      'no registered model "someone-elses-model"',
    );
    const unknownVersion = await request(server)
      .post('/api/serving/deployments')
      .set('Authorization', alice)
      .send({ ...DEPLOY, modelVersion: '8' });
    expect(unknownVersion.status).toBe(400);
    expect(unknownVersion.body.error.message).toBe(
      '"mnist-cnn" has no version 8',
    );
  });

  it('shows a key once, stores only its hash, hands Ray only the hash, and revokes it', async () => {
    const { server, sync } = await startBackend();
    const { id } = await deploy(server);
    const res = await request(server)
      .post(`/api/serving/deployments/${id}/keys`)
      .set('Authorization', alice)
      .send({ name: 'frontend', requestsPerSecond: 5 })
      .expect(201);
    const { key, ...shown } = res.body;
    expect(key).toMatch(/^mlops_[A-Za-z0-9_-]{43}$/);
    expect(shown).toMatchObject({
      name: 'frontend',
      requestsPerSecond: 5,
      burst: 10,
      createdBy: 'user:default/alice',
    });
    const sha256 = createHash('sha256').update(key).digest('hex');
    const ingress = () =>
      (
        sync().applications.at(-1)!.deployments![0].user_config as {
          keys: Array<{ id: string; sha256: string }>;
        }
      ).keys;
    expect(ingress()).toEqual([
      expect.objectContaining({ id: shown.id, sha256, requests_per_second: 5 }),
    ]);
    expect(JSON.stringify(sync().applications)).not.toContain(key);

    const list = await request(server)
      .get(`/api/serving/deployments/${id}/keys`)
      .set('Authorization', alice)
      .expect(200);
    expect(list.body.items).toEqual([shown]);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(JSON.stringify(list.body)).not.toContain(sha256);

    const past = await request(server)
      .post(`/api/serving/deployments/${id}/keys`)
      .set('Authorization', alice)
      .send({ name: 'old', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toContain('expiresAt');

    await request(server)
      .delete(`/api/serving/deployments/${id}/keys/${shown.id}`)
      .set('Authorization', alice)
      .expect(204);
    expect(ingress()).toEqual([]);
    const after = await request(server)
      .get(`/api/serving/deployments/${id}/keys`)
      .set('Authorization', alice)
      .expect(200);
    expect(after.body.items[0].revokedAt).toEqual(expect.any(String));
    await request(server)
      .delete(
        `/api/serving/deployments/${id}/keys/00000000-0000-4000-8000-000000000000`,
      )
      .set('Authorization', alice)
      .expect(404);
  });

  it('splits traffic with a challenger, promotes it, rolls back, and records every change', async () => {
    const { server, sync, registry } = await startBackend();
    const { id } = await deploy(server);
    expect(registry.aliases).toEqual({ champion: '1' });
    const traffic = (body: object) =>
      request(server)
        .put(`/api/serving/deployments/${id}/traffic`)
        .set('Authorization', alice)
        .send(body);

    const notHundred = await traffic({ weights: { '1': 70, '2': 20 } });
    expect(notHundred.status).toBe(400);
    expect(notHundred.body.error.message).toBe(
      'weights must sum to 100 (percent of traffic per version), not 90',
    );
    const notAVersion = await traffic({ weights: { '1': 80, latest: 20 } });
    expect(notAVersion.status).toBe(400);
    expect(notAVersion.body.error.message).toContain(
      '"latest" is not a model version',
    );
    const twoNew = await traffic({ weights: { '1': 60, '2': 20, '3': 20 } });
    expect(twoNew.status).toBe(400);
    expect(twoNew.body.error.message).toContain('only one new version');
    const unknownShadow = await traffic({
      weights: { '1': 100 },
      shadow: { version: '7', percent: 10 },
    });
    expect(unknownShadow.status).toBe(400);
    expect(unknownShadow.body.error.message).toContain('shadow.version 7');
    const noPromotion = await request(server)
      .post(`/api/serving/deployments/${id}/promote`)
      .set('Authorization', alice)
      .send({});
    expect(noPromotion.status).toBe(409);

    const canary = await traffic({
      weights: { '1': 80, '2': 20 },
      reason: 'canary of the retrained model',
    }).expect(200);
    expect(canary.body.versions).toEqual([
      { version: '1', weight: 80 },
      { version: '2', weight: 20 },
    ]);
    const config = sync().applications.at(-1)!;
    expect(
      (config.args as { versions: Array<{ version: string }> }).versions.map(
        v => v.version,
      ),
    ).toEqual(['1', '2']);
    expect(config.deployments![0].user_config).toMatchObject({
      weights: { '1': 80, '2': 20 },
      shadow: null,
    });
    expect(registry.aliases).toEqual({ champion: '1', challenger: '2' });
    const notRegistered = await traffic({ weights: { '1': 80, '9': 20 } });
    expect(notRegistered.status).toBe(400);
    expect(notRegistered.body.error.message).toBe(
      '"mnist-cnn" has no version 9',
    );

    const promoted = await request(server)
      .post(`/api/serving/deployments/${id}/promote`)
      .set('Authorization', alice)
      .send({ reason: 'better accuracy' })
      .expect(200);
    expect(promoted.body).toMatchObject({
      modelVersion: '2',
      versions: [
        { version: '1', weight: 0 },
        { version: '2', weight: 100 },
      ],
    });
    expect(
      (
        sync().applications.at(-1)!.args as {
          versions: Array<{ version: string }>;
        }
      ).versions.map(v => v.version),
    ).toEqual(['2']);
    expect(registry.aliases).toEqual({
      champion: '2',
      challenger: undefined,
    });

    const neverServed = await request(server)
      .post(`/api/serving/deployments/${id}/rollback`)
      .set('Authorization', alice)
      .send({ version: '5' });
    expect(neverServed.status).toBe(400);
    expect(neverServed.body.error.message).toContain(
      'version 5 was never served',
    );
    const rolledBack = await request(server)
      .post(`/api/serving/deployments/${id}/rollback`)
      .set('Authorization', alice)
      .send({ version: '1', reason: 'drift on v2' })
      .expect(200);
    expect(rolledBack.body).toMatchObject({
      modelVersion: '1',
      versions: [
        { version: '1', weight: 100 },
        { version: '2', weight: 0 },
      ],
    });
    expect(registry.aliases.champion).toBe('1');

    const history = await request(server)
      .get(`/api/serving/deployments/${id}/history`)
      .set('Authorization', alice)
      .expect(200);
    expect(
      history.body.items.map(
        (e: { action: string; reason?: string; actor: string }) => [
          e.action,
          e.reason,
          e.actor,
        ],
      ),
    ).toEqual([
      ['rolled-back', 'drift on v2', 'user:default/alice'],
      ['promoted', 'better accuracy', 'user:default/alice'],
      [
        'traffic-changed',
        'canary of the retrained model',
        'user:default/alice',
      ],
      ['created', undefined, 'user:default/alice'],
    ]);
    expect(history.body.items[1].details).toMatchObject({
      champion: '2',
      previousChampion: '1',
    });
  });

  it('undeploys: removes the application, keeps the history out of reach', async () => {
    const { server, sync } = await startBackend();
    const { id } = await deploy(server);
    await request(server)
      .delete(`/api/serving/deployments/${id}?reason=retired`)
      .set('Authorization', alice)
      .expect(204);
    expect(sync().removed).toEqual(['mnist']);
    await request(server)
      .get(`/api/serving/deployments/${id}`)
      .set('Authorization', alice)
      .expect(404);
    // The name is free again.
    await deploy(server);
  });

  it("answers 404 on every route of another team's deployment, like a missing one", async () => {
    const { server } = await startBackend();
    const { id } = await deploy(server);
    const keyRes = await request(server)
      .post(`/api/serving/deployments/${id}/keys`)
      .set('Authorization', alice)
      .send({ name: 'k' })
      .expect(201);
    const routes: Array<[string, string, object?]> = [
      ['get', `/deployments/ID`],
      ['delete', `/deployments/ID`],
      ['get', `/deployments/ID/keys`],
      ['post', `/deployments/ID/keys`, { name: 'mine-now' }],
      ['post', `/deployments/ID/keys`, {}],
      ['delete', `/deployments/ID/keys/${keyRes.body.id}`],
      ['put', `/deployments/ID/traffic`, { weights: { '1': 100 } }],
      ['put', `/deployments/ID/traffic`, {}],
      ['post', `/deployments/ID/promote`, {}],
      ['post', `/deployments/ID/rollback`, { version: '1' }],
      ['get', `/deployments/ID/history`],
    ];
    const missing = '11111111-1111-4111-8111-111111111111';
    for (const [method, path, body] of routes) {
      const call = (who: string, target: string) => {
        const r = (request(server) as any)
          [method](`/api/serving${path.replace('ID', target)}`)
          .set('Authorization', who);
        return body ? r.send(body) : r;
      };
      const theirs = await call(bob, id);
      const absent = await call(bob, missing);
      expect({ path, method, status: theirs.status }).toEqual({
        path,
        method,
        status: 404,
      });
      expect(theirs.body.error.message).toBe(
        absent.body.error.message.replace(missing, id),
      );
      const anonymous = await call(mockCredentials.none.header(), id);
      expect({ path, method, status: anonymous.status }).toEqual({
        path,
        method,
        status: 401,
      });
    }
    const list = await request(server)
      .get('/api/serving/deployments')
      .set('Authorization', bob)
      .expect(200);
    expect(list.body.items).toEqual([]);
    // Still alice's, unchanged.
    const own = await request(server)
      .get(`/api/serving/deployments/${id}`)
      .set('Authorization', alice)
      .expect(200);
    expect(own.body.versions).toEqual([{ version: '1', weight: 100 }]);
  });

  it('lets backend services read deployments, and only users change them', async () => {
    const { server } = await startBackend();
    const { id } = await deploy(server);
    const catalog = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:catalog'),
      targetPluginId: 'serving',
    });
    const list = await request(server)
      .get('/api/serving/deployments')
      .set('Authorization', catalog)
      .expect(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const one = await request(server)
      .get(`/api/serving/deployments/${id}`)
      .set('Authorization', catalog)
      .expect(200);
    expect(one.body.versions).toEqual([{ version: '1', weight: 100 }]);

    // Backstage refuses a principal a route does not allow with 403.
    for (const [method, path] of [
      ['get', `/deployments/${id}/keys`],
      ['get', `/deployments/${id}/history`],
      ['post', `/deployments/${id}/keys`],
      ['delete', `/deployments/${id}`],
    ]) {
      const res = await (request(server) as any)
        [method](`/api/serving${path}`)
        .set('Authorization', catalog)
        .send(method === 'post' ? { name: 'k' } : undefined);
      expect({ method, path, status: res.status }).toEqual({
        method,
        path,
        status: 403,
      });
    }
  });
});
