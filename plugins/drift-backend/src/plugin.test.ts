import { ServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import {
  OWNER_RULE_NAME,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';
import { closedPortUrl } from '@internal/mlops-node';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DatabaseDriftStore, NewDriftMonitor } from './database';
import { driftPlugin } from './plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const monitor = (name: string, owner: string): NewDriftMonitor => ({
  name,
  owner,
  deploymentId: `${name}-deployment`,
  deploymentName: 'mnist-cnn',
  modelName: 'mnist',
  cluster: 'local',
  window: { lastRequests: 500 },
  alpha: 0.05,
  createdBy: 'user:default/alice',
});

async function startBackend(
  options: { webhookUrl?: string; permissions?: ServiceFactory } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      driftPlugin,
      mockServices.database.factory({ knex }),
      options.permissions ?? mockServices.permissions.factory(),
      mockServices.rootConfig.factory({
        data: options.webhookUrl
          ? { mlops: { drift: { n8n: { webhookUrl: options.webhookUrl } } } }
          : {},
      }),
    ],
  });
  return { server, store: new DatabaseDriftStore(knex) };
}

async function n8nCheck(webhookUrl?: string) {
  const { server } = await startBackend({ webhookUrl });
  const res = await request(server).get('/api/drift/status').expect(200);
  const status = res.body as PluginStatus;
  expect(status.dependencies[0]).toMatchObject({
    name: 'Drift database',
    ok: true,
  });
  return status.dependencies[1];
}

/** A stand-in for n8n that serves its health endpoint only. */
let n8n: Server;
let n8nOrigin: string;
beforeAll(async () => {
  n8n = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'ok' }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>(resolve => n8n.listen(0, '127.0.0.1', resolve));
  n8nOrigin = `http://127.0.0.1:${(n8n.address() as AddressInfo).port}`;
});
afterAll(() => new Promise(resolve => n8n.close(resolve)));

describe('drift backend', () => {
  it('reports n8n as not configured when no webhook is set', async () => {
    expect(await n8nCheck()).toEqual({
      name: 'n8n webhook',
      ok: true,
      message:
        'n8n notifications are not configured (mlops.drift.n8n.webhookUrl); alerts go to Backstage notifications only',
    });
  });

  it('reports n8n up when its health endpoint answers, without naming the webhook path', async () => {
    const check = await n8nCheck(`${n8nOrigin}/webhook/secret-drift-path`);

    expect(check).toEqual({
      name: 'n8n webhook',
      ok: true,
      message: `n8n answers at ${n8nOrigin}/healthz`,
    });
  });

  it('says why n8n is unreachable when nothing listens at the webhook host', async () => {
    const gone = await closedPortUrl();
    const check = await n8nCheck(`${gone}/webhook/drift`);

    expect(check.ok).toBe(false);
    expect(check.message).toBe(
      `n8n is not reachable: ${gone}/healthz refused the connection: is the server running?`,
    );
  });

  it('refuses to start with a webhook URL that is not http(s)', async () => {
    await expect(
      startBackend({ webhookUrl: 'ftp://n8n/hook' }),
    ).rejects.toThrow('mlops.drift.n8n.webhookUrl must be an http(s) URL');
  });

  it('lists no monitor at first, then the monitors in the database', async () => {
    const { server, store } = await startBackend();
    await request(server).get('/api/drift/monitors').expect(200, { items: [] });

    const created = await store.createMonitor(
      monitor('mnist-inputs', 'group:default/team-a'),
    );
    const res = await request(server).get('/api/drift/monitors').expect(200);

    expect(res.body.items).toEqual([created]);
    expect(created).toMatchObject({
      name: 'mnist-inputs',
      deploymentName: 'mnist-cnn',
      window: { lastRequests: 500 },
    });
    expect(created.lastCheck).toBeUndefined();
  });

  it('shows a team only its own monitors when the policy grants by ownership', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'drift',
          resourceType: 'drift-monitor',
          conditions: {
            rule: OWNER_RULE_NAME,
            resourceType: 'drift-monitor',
            params: { claims: ['user:default/mock', 'group:default/team-b'] },
          },
        })),
    });
    const { server, store } = await startBackend({
      permissions: permissions.factory,
    });
    await store.createMonitor(monitor('a', 'group:default/team-a'));
    await store.createMonitor(monitor('b', 'group:default/team-b'));
    const res = await request(server).get('/api/drift/monitors').expect(200);

    expect(res.body.items.map((m: DriftMonitor) => m.name)).toEqual(['b']);
  });

  it('cannot create a monitor while the portal logs no inference requests', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/drift/monitors')
      .send({ name: 'digits', deploymentId: 'd1' });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'The portal does not log inference requests (mlops.serving.inferenceLog.uri)',
    );
  });

  it('names what is wrong with a new monitor (400) before looking for the deployment', async () => {
    const { server } = await startBackend();
    const bad = async (body: object) =>
      (await request(server).post('/api/drift/monitors').send(body).expect(400))
        .body.error.message as string;

    expect(await bad({ name: 'Digits!', deploymentId: 'd1' })).toContain(
      'name',
    );
    expect(await bad({ name: 'digits' })).toContain('deploymentId');
    expect(
      await bad({
        name: 'digits',
        deploymentId: 'd1',
        window: { lastRequests: 2 },
      }),
    ).toContain('lastRequests');
    expect(
      await bad({ name: 'digits', deploymentId: 'd1', alpha: 0 }),
    ).toContain('alpha');
  });

  it('answers 404 for a monitor that does not exist, on every route of a monitor', async () => {
    const { server } = await startBackend();
    for (const [method, path] of [
      ['get', '/api/drift/monitors/nope'],
      ['delete', '/api/drift/monitors/nope'],
      ['get', '/api/drift/monitors/nope/checks'],
      ['post', '/api/drift/monitors/nope/checks'],
      ['get', '/api/drift/monitors/nope/checks/c1'],
      ['post', '/api/drift/monitors/nope/labels'],
    ] as const) {
      const res = await request(server)[method](path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('stores labels of logged requests, the newest for a request relabelled, and names bad ones', async () => {
    const { server, store } = await startBackend();
    const created = await store.createMonitor(
      monitor('labelled', 'group:default/team-a'),
    );
    const url = `/api/drift/monitors/${created.id}/labels`;
    const first = await request(server)
      .post(url)
      .send({
        labels: [
          { requestId: 'r1', label: '7' },
          { requestId: 'r2', label: ['1', '2'] },
          { requestId: 'r1', label: '9' },
        ],
      })
      .expect(200);
    expect(first.body).toEqual({ stored: 2, total: 2 });
    await request(server)
      .post(url)
      .send({ labels: [{ requestId: 'r3', label: '4' }] })
      .expect(200, { stored: 1, total: 3 });
    expect(await store.latestLabels(created.id, 10)).toEqual(
      expect.arrayContaining([
        { requestId: 'r1', label: '9' },
        { requestId: 'r2', label: ['1', '2'] },
        { requestId: 'r3', label: '4' },
      ]),
    );
    const listed = await request(server).get('/api/drift/monitors').expect(200);
    expect(listed.body.items[0].labels).toBe(3);

    const bad = async (body: object) =>
      (await request(server).post(url).send(body).expect(400)).body.error
        .message as string;
    expect(await bad({ labels: [] })).toContain('labels');
    expect(await bad({ labels: [{ requestId: 'r4' }] })).toContain('label');
    expect(await bad({ labels: [{ requestId: 'r4', label: 7 }] })).toContain(
      'label',
    );
    expect(await store.latestLabels(created.id, 10)).toHaveLength(3);
  });

  it('refuses callers that are not signed-in users', async () => {
    const { server } = await startBackend();
    const anonymous = await request(server)
      .get('/api/drift/monitors')
      .set('Authorization', 'Bearer mock-none-token');
    const service = await request(server)
      .get('/api/drift/status')
      .set('Authorization', 'Bearer mock-service-token');

    expect(anonymous.status).toBe(401);
    expect(service.status).toBe(403);
  });

  it('denies the status route when the policy denies it', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })),
    });
    const { server } = await startBackend({
      permissions: permissions.factory,
    });
    const res = await request(server).get('/api/drift/status');

    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('drift.status.read');
  });
});
