import { TestDatabases } from '@backstage/backend-test-utils';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { RayJobsClient } from '@internal/backstage-plugin-experiments-node';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alice,
  createTestRegistry,
  testLocalDriver,
  waitFor,
} from '../../__testUtils__/registry';
import { ClusterRegistry } from '../../ClusterRegistry';
import { localTempDir, LocalDriver } from './LocalDriver';
import { processesMentioning, sweepProcesses } from './processes';
import { targetsFilePath } from './prometheusTargets';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let registry: ClusterRegistry;
let driver: LocalDriver;
const tempDirs: string[] = [];

/**
 * The real Prometheus of the test stack (make test), which discovers targets in
 * $MLOPS_DATA/prometheus/targets; without it, a targets folder of this suite.
 */
const realPrometheus =
  process.env.MLOPS_TEST_PROMETHEUS_URL && process.env.MLOPS_DATA
    ? process.env.MLOPS_TEST_PROMETHEUS_URL
    : undefined;
let targetsDir: string;
let ownTargetsDir: string | undefined;
/** What the heads' dashboards are told is Prometheus: it records the queries it is sent. */
let fakePrometheus: Server;
let prometheusUrl: string;
const prometheusQueries: string[] = [];

beforeAll(async () => {
  if (realPrometheus) {
    targetsDir = join(process.env.MLOPS_DATA!, 'prometheus', 'targets');
  } else {
    ownTargetsDir = await mkdtemp(join(tmpdir(), 'mlops-targets-'));
    targetsDir = join(ownTargetsDir, 'targets');
  }
  fakePrometheus = createServer((req, res) => {
    prometheusQueries.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
  });
  await new Promise<void>(resolve =>
    fakePrometheus.listen(0, '127.0.0.1', resolve),
  );
  prometheusUrl = `http://127.0.0.1:${
    (fakePrometheus.address() as AddressInfo).port
  }`;
  ({ registry } = await createTestRegistry(databases, r => {
    driver = testLocalDriver(r, {
      prometheusTargetsDir: targetsDir,
      prometheusUrl,
    });
    return { local: driver };
  }));
});

afterAll(async () => {
  // Even when a test failed half-way: no head, folder or account of this suite may outlive it.
  for (const cluster of registry?.list() ?? []) {
    await registry.delete(cluster.name).catch(() => undefined);
  }
  await registry?.close();
  await Promise.all(
    tempDirs.map(async dir => {
      await sweepProcesses(dir);
      await rm(dir, { recursive: true, force: true });
    }),
  );
  await new Promise(resolve => fakePrometheus?.close(resolve));
  if (ownTargetsDir) await rm(ownTargetsDir, { recursive: true, force: true });
});

/** The scrape targets the head announced in its service discovery file, with one label. */
async function announcedTargets(file: string) {
  const groups = JSON.parse(await readFile(file, 'utf8'));
  const target = expect.stringMatching(/^127\.0\.0\.1:\d+$/);
  expect(groups).toEqual([
    { targets: [target, target, target], labels: { ray_cluster: 'rc-local' } },
  ]);
  return {
    ports: (groups[0].targets as string[]).map(t => Number(t.split(':')[1])),
    writtenAt: (await stat(file)).mtimeMs,
  };
}

/** What the announced ports serve: the node's, the dashboard's and the autoscaler's series. */
const ANNOUNCED_SERIES = [
  /^ray_\w+\{[^}]*SessionName="session_/m,
  /^ray_\w+/m,
  /^autoscaler_\w+/m,
];

/**
 * Waits until each port answers Prometheus text with its series. The waits here stay within the
 * cluster's 20 s idle timeout, after which the head stops.
 */
async function servesMetrics(ports: number[]) {
  await Promise.all(
    ports.map((port, i) =>
      waitFor(
        `metrics matching ${ANNOUNCED_SERIES[i]} on port ${port}`,
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/metrics`);
          const text = await response.text();
          return (
            response.ok &&
            response.headers.get('content-type')?.startsWith('text/plain') &&
            ANNOUNCED_SERIES[i].test(text)
          );
        },
        15_000,
      ),
    ),
  );
}

/** The local addresses of the sockets listening on `port`, as /proc/net shows them (hex). */
async function listeningAddresses(port: number): Promise<string[]> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, localPort] = local.split(':');
      if (localPort === hexPort && state === '0A') found.push(address);
    }
  }
  return found;
}

/**
 * Waits until the real Prometheus scrapes every port successfully, through the discovery job of
 * the portal's clusters and labelled with the cluster's name.
 */
async function scrapedByPrometheus(ports: number[]) {
  const query = encodeURIComponent(
    'up{job="ray-clusters",ray_cluster="rc-local"}',
  );
  const instances = ports.map(port => `127.0.0.1:${port}`).sort();
  return waitFor(
    `Prometheus to scrape ${instances.join(', ')}`,
    async () => {
      const response = await fetch(
        `${realPrometheus}/api/v1/query?query=${query}`,
      );
      const body = await response.json();
      const up = body.data.result
        .filter((s: { value: [number, string] }) => s.value[1] === '1')
        .map((s: { metric: { instance: string } }) => s.metric.instance)
        .sort();
      return JSON.stringify(up) === JSON.stringify(instances);
    },
    15_000,
  );
}

/**
 * Runs a Ray job whose one task prints its process's niceness, through the Ray Jobs API; resolves
 * with its status and log.
 */
async function rayJob(
  dashboardUrl: string,
  token: string,
  submissionId: string,
) {
  const jobs = new RayJobsClient({ dashboardUrl, token });
  await jobs.submit({
    submissionId,
    entrypoint:
      'python -c "import os, ray; ray.init(); task = ray.remote(num_cpus=0)(lambda: os.nice(0)); print(\'task niceness\', ray.get(task.remote()))"',
    envVars: {},
  });
  const status = await waitFor(
    'the Ray job to finish',
    async () => {
      const job = await jobs.getJob(submissionId);
      return job && ['SUCCEEDED', 'FAILED', 'STOPPED'].includes(job.status)
        ? job.status
        : undefined;
    },
    120_000,
  );
  return { status, log: await jobs.getLogs(submissionId) };
}

describe('local driver on real Ray', () => {
  it('starts a capped head, runs a job, restarts a killed head, stops when idle, and leaves nothing on delete', async () => {
    const t0 = Date.now();
    const created = await registry.create(
      { name: 'rc-local', cpus: 1, gpus: 0, idleTimeoutSeconds: 20 },
      alice,
    );
    const tempDir = localTempDir('/tmp', created);
    tempDirs.push(tempDir);
    expect(created).toMatchObject({
      state: 'starting',
      owner: 'group:default/team-a',
    });

    await registry.settled();
    const ready = registry.get('rc-local')!;
    expect(ready.state).toBe('ready');
    expect(ready.dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.token).toMatch(/^[0-9a-f]{64}$/);
    // eslint-disable-next-line no-console
    console.log(`head ready after ${Date.now() - t0} ms`);

    // Prometheus is told where the head's metrics are, and they are Ray's, on loopback only.
    const targetsFile = targetsFilePath(targetsDir, created.instanceId);
    const tReady = Date.now();
    const first = await announcedTargets(targetsFile);
    await servesMetrics(first.ports);
    for (const port of first.ports) {
      expect(await listeningAddresses(port)).toEqual(['0100007F']);
    }
    // eslint-disable-next-line no-console
    console.log(`Ray metrics answered ${Date.now() - tReady} ms after ready`);
    if (realPrometheus) {
      await scrapedByPrometheus(first.ports);
      // eslint-disable-next-line no-console
      console.log(
        `scraped by Prometheus ${Date.now() - tReady} ms after ready`,
      );
    }
    // The head's dashboard reads metrics from the portal's Prometheus (RAY_PROMETHEUS_HOST).
    const health = await fetch(`${ready.dashboardUrl}/api/prometheus_health`, {
      headers: { Authorization: `Bearer ${ready.token}` },
    });
    expect(await health.json()).toMatchObject({
      result: true,
      msg: 'prometheus running',
    });
    expect(prometheusQueries).toContain('/api/v1/query?query=vector(1)');

    // Ray reports the caps it was started with.
    const info = await registry.describe('rc-local');
    expect(info.resources).toMatchObject({ nodes: 1, cpus: 1, gpus: 0 });
    expect(info.maxGpus).toBe(0);
    // Token auth is on: without the token Ray refuses.
    await expect(
      new RayDashboardClient({
        dashboardUrl: ready.dashboardUrl!,
      }).getVersion(),
    ).rejects.toThrow('refused the token');

    // Its tasks run at the normal priority (Ray's default would be 15).
    const job = await rayJob(ready.dashboardUrl!, ready.token!, 'print-nice');
    expect(job).toEqual({
      status: 'SUCCEEDED',
      log: expect.stringMatching(/^task niceness 0$/m),
    });

    // Kill the head's whole process group: the driver starts a new head.
    const headPids = await processesMentioning(tempDir);
    expect(headPids.length).toBeGreaterThan(2);
    const blockPid = (await processesMentioning('--block')).find(pid =>
      headPids.includes(pid),
    )!;
    const killedAt = Date.now();
    process.kill(-blockPid, 'SIGKILL');
    await waitFor(
      'the restart to begin',
      () => registry.get('rc-local')!.state === 'starting',
      30_000,
    );
    const restarted = await waitFor(
      'the restarted head',
      () => {
        const c = registry.get('rc-local')!;
        return c.state === 'ready' ? c : undefined;
      },
      180_000,
    );
    expect(restarted.message).toContain('restarted after');
    await expect(
      new RayDashboardClient(
        restarted as { dashboardUrl: string; token: string },
      ).getVersion(),
    ).resolves.toMatch(/^2\./);
    expect(await processesMentioning(String(blockPid))).not.toContain(blockPid);
    // The new head announced itself anew, and its metrics answer.
    const second = await announcedTargets(targetsFile);
    expect(second.writtenAt).toBeGreaterThan(killedAt);
    await servesMetrics(second.ports);
    if (realPrometheus) await scrapedByPrometheus(second.ports);

    // No job runs: after its 20 s idle timeout the cluster stops, with no process left.
    const stopped = await waitFor(
      'the idle stop',
      () => {
        const c = registry.get('rc-local')!;
        return c.state === 'stopped' ? c : undefined;
      },
      60_000,
    );
    expect(stopped.message).toBe('Stopped after 20 s without running jobs');
    expect(await processesMentioning(tempDir)).toEqual([]);
    expect(existsSync(targetsFile)).toBe(false);

    await registry.delete('rc-local');
    expect(registry.get('rc-local')).toBeUndefined();
    expect(await processesMentioning(tempDir)).toEqual([]);
    expect(existsSync(tempDir)).toBe(false);
    expect(existsSync(targetsFile)).toBe(false);
  });

  it('refuses a local cluster when Ray is not installed where configured', async () => {
    const { registry: noRay } = await createTestRegistry(databases, r => ({
      local: testLocalDriver(r, { rayExecutable: '/nonexistent/bin/ray' }),
    }));
    await expect(noRay.create({ name: 'rc-noray' }, alice)).rejects.toThrow(
      '/nonexistent/bin/ray is not executable (set MLOPS_VENV or mlops.rayClusters.local.venv)',
    );
    expect(noRay.list()).toEqual([]);
    await noRay.close();
  });
});
