import { TestDatabases } from '@backstage/backend-test-utils';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { RayJobsClient } from '@internal/backstage-plugin-experiments-node';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  alice,
  createTestRegistry,
  testLocalDriver,
  waitFor,
} from '../../__testUtils__/registry';
import { ClusterRegistry } from '../../ClusterRegistry';
import { localTempDir, LocalDriver } from './LocalDriver';
import { processesMentioning, sweepProcesses } from './processes';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
let registry: ClusterRegistry;
let driver: LocalDriver;
const tempDirs: string[] = [];

beforeAll(async () => {
  ({ registry } = await createTestRegistry(databases, r => {
    driver = testLocalDriver(r);
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
});

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

    await registry.delete('rc-local');
    expect(registry.get('rc-local')).toBeUndefined();
    expect(await processesMentioning(tempDir)).toEqual([]);
    expect(existsSync(tempDir)).toBe(false);
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
