import { TestDatabases } from '@backstage/backend-test-utils';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import {
  alice,
  createTestRegistry,
  loopbackAllowed,
  rayExecutable,
  waitFor,
} from '../__testUtils__/registry';
import { ClusterRegistry } from '../ClusterRegistry';
import { ExternalDriver } from './ExternalDriver';
import { freePorts, sweepProcesses } from './local/processes';

jest.setTimeout(240_000);

// A two-node Ray cluster on this machine, as a company would run on VMs: a head and a worker node
// that joins it through GCS, both with token authentication. Multi-node Ray on one Linux machine
// uses the machine's routable address for GCS (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=1); the dashboard
// stays on loopback.
const tempDir = `/tmp/mlops-rc-ext-${randomBytes(3).toString('hex')}`;
const token = randomBytes(32).toString('hex');
const nodes: ChildProcess[] = [];
let dashboardUrl: string;
let registry: ClusterRegistry;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function rayStart(args: string[]) {
  const child = spawn(rayExecutable, ['start', '--block', ...args], {
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      RAY_AUTH_MODE: 'token',
      RAY_AUTH_TOKEN_PATH: `${tempDir}/auth_token`,
      RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: '1',
      RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S: '0',
    },
  });
  nodes.push(child);
}

beforeAll(async () => {
  mkdirSync(tempDir, { mode: 0o700 });
  writeFileSync(`${tempDir}/auth_token`, token, { mode: 0o600 });
  const [gcs, dashboard, client, agent] = await freePorts(4);
  dashboardUrl = `http://127.0.0.1:${dashboard}`;
  // prettier-ignore
  rayStart([
    '--head', '--port', String(gcs),
    '--dashboard-host', '127.0.0.1', '--dashboard-port', String(dashboard),
    '--ray-client-server-port', String(client),
    '--dashboard-agent-listen-port', String(agent),
    '--temp-dir', tempDir, '--num-cpus', '1',
    '--object-store-memory', '100000000', '--disable-usage-stats',
  ]);
  const head = new RayDashboardClient({
    dashboardUrl,
    token,
    timeoutMs: 2_000,
  });
  const headNode = await waitFor(
    'the head node',
    async () =>
      (await head.getNodes()).find(n => n.isHead && n.state === 'ALIVE'),
    150_000,
  );
  // prettier-ignore
  rayStart([
    '--address', `${headNode.ip}:${gcs}`, '--num-cpus', '1',
    '--object-store-memory', '100000000', '--disable-usage-stats',
  ]);
  await waitFor(
    'the worker node to join',
    async () => (await head.getResources()).nodes === 2,
    150_000,
  );
  // The test cluster runs on loopback, which an administrator allow-lists here.
  const endpointGuard = loopbackAllowed();
  ({ registry } = await createTestRegistry(
    databases,
    () => ({ external: new ExternalDriver({ endpointGuard }) }),
    { endpointGuard },
  ));
});

afterAll(async () => {
  for (const node of nodes) {
    try {
      process.kill(-node.pid!, 'SIGTERM');
    } catch {
      // Already ended.
    }
  }
  await sweepProcesses(tempDir, 15_000);
  rmSync(tempDir, { recursive: true, force: true });
});

describe('external driver on a real two-node Ray cluster', () => {
  it('health-checks the cluster and reports both nodes', async () => {
    const created = await registry.create(
      { name: 'vm-cluster', driver: 'external', dashboardUrl, token },
      alice,
    );
    expect(created).toMatchObject({
      state: 'ready',
      message: 'Health check passed',
    });

    const info = await registry.describe('vm-cluster');
    expect(info.resources).toMatchObject({ nodes: 2, cpus: 2, gpus: 0 });
    const shown = await registry.toApi(registry.get('vm-cluster')!);
    expect(shown.message).toMatch(
      /^Ray 2\.\d+\.\d+: 2 node\(s\), 2 CPU, no GPU$/,
    );
    expect(shown.resources?.usage?.cpus).toEqual({ used: 0, total: 2 });

    // Deleting forgets the cluster but leaves it running: it is not the portal's.
    await registry.delete('vm-cluster');
    expect(registry.get('vm-cluster')).toBeUndefined();
    await expect(
      new RayDashboardClient({ dashboardUrl, token }).getResources(),
    ).resolves.toMatchObject({ nodes: 2 });
  });

  it('refuses a cluster that fails its health check, saying why', async () => {
    await expect(
      registry.create(
        { name: 'bad-token', driver: 'external', dashboardUrl, token: 'wrong' },
        alice,
      ),
    ).rejects.toThrow(
      `External Ray cluster "bad-token" failed its health check: Ray at ${dashboardUrl} refused the token (HTTP 403)`,
    );
    expect(registry.get('bad-token')).toBeUndefined();
  });
});
