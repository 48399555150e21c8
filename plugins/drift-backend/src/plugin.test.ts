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
import { DatabaseDriftMonitorStore } from './database';
import { driftPlugin } from './plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

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
  return { server, store: new DatabaseDriftMonitorStore(knex) };
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

    const monitor = await store.create({
      name: 'mnist-inputs',
      owner: 'group:default/team-a',
      deployment: 'mnist-cnn',
    });
    const res = await request(server).get('/api/drift/monitors').expect(200);

    expect(res.body.items).toEqual([monitor]);
    expect(monitor).toMatchObject({
      name: 'mnist-inputs',
      deployment: 'mnist-cnn',
    });
    expect(monitor.lastResult).toBeUndefined();
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
    await store.create({
      name: 'a',
      owner: 'group:default/team-a',
      deployment: 'x',
    });
    await store.create({
      name: 'b',
      owner: 'group:default/team-b',
      deployment: 'y',
    });
    const res = await request(server).get('/api/drift/monitors').expect(200);

    expect(res.body.items.map((m: DriftMonitor) => m.name)).toEqual(['b']);
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
