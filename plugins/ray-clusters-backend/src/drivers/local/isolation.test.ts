import { TestDatabases } from '@backstage/backend-test-utils';
import { RayJobsClient } from '@internal/backstage-plugin-experiments-node';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { clusterUserName, lookupUser } from './clusterUsers';
import { localTempDir } from './LocalDriver';
import { processesOfUser, sweepProcesses } from './processes';

jest.setTimeout(400_000);

/**
 * What the code of a job tries: read each file (the first bytes, or the error's name), and say
 * who it runs as, with which groups and environment, and whether a URL handed to it downloads.
 */
const PROBE = `
import json, os, urllib.request
out = {"uid": os.getuid(), "groups": sorted(set(os.getgroups()) - {os.getgid()}), "reads": {}}
for path in json.loads(os.environ["PROBE_PATHS"]):
    try:
        with open(path, "rb") as f:
            out["reads"][path] = "read: " + f.read(40).decode(errors="replace")
    except OSError as error:
        out["reads"][path] = type(error).__name__
# Given reversed: Ray passes the job's own variables on in more variables.
secret = os.environ["PROBE_SECRET_REVERSED"][::-1]
out["secret_in_environment"] = any(secret in value for value in os.environ.values())
out["download"] = urllib.request.urlopen(os.environ["PROBE_URL"]).read().decode()
print("PROBE " + json.dumps(out), flush=True)
`;

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const isRoot = process.getuid?.() === 0;
let registry: ClusterRegistry;
let state: string;
let server: Server;
const tempDirs: string[] = [];

beforeAll(async () => {
  ({ registry } = await createTestRegistry(databases, r => ({
    local: testLocalDriver(r),
  })));
  state = await mkdtemp(join(tmpdir(), 'mlops-portal-state-'));
  server = createServer((_req, res) => res.end('dataset handed over'));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  // Even when the test failed half-way: no head, folder or account of it may outlive it.
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
  await rm(state, { recursive: true, force: true });
  await new Promise(resolve => server?.close(resolve));
  delete process.env.MLOPS_TEST_PORTAL_SECRET;
});

async function readyCluster(name: string) {
  const created = await registry.create(
    { name, cpus: 1, gpus: 0, idleTimeoutSeconds: 0 },
    alice,
  );
  tempDirs.push(localTempDir('/tmp', created));
  return waitFor(
    `${name} to be ready`,
    () => {
      const c = registry.get(name)!;
      if (c.state === 'failed') throw new Error(c.message);
      return c.state === 'ready' ? c : undefined;
    },
    200_000,
  );
}

// Only root can run a cluster as another user; otherwise the driver warns that there is no
// isolation (see docs/security-model-ray.md).
(isRoot ? describe : describe.skip)('code in a local cluster', () => {
  it("cannot read the portal's keys and databases, /etc/shadow, another cluster's token or the backend's environment, and gets its data by URL", async () => {
    // The portal's state: a signing-key database, private as the portal keeps it.
    const authDb = join(state, 'auth.sqlite');
    await writeFile(authDb, 'SQLite format 3 portal-signing-key', {
      mode: 0o600,
    });
    // A secret in the backend's environment, as a database password would be.
    const secret = `portal-secret-${randomUUID()}`;
    process.env.MLOPS_TEST_PORTAL_SECRET = secret;

    // Another team's cluster: started once, so that its token lies where its head reads it.
    const other = await readyCluster('rc-other-team');
    const otherToken = join(localTempDir('/tmp', other), 'user', 'auth_token');
    await registry.stop('rc-other-team');
    expect(existsSync(otherToken)).toBe(true);

    const mine = await readyCluster('rc-isolated');
    const account = await lookupUser(clusterUserName(mine.instanceId));
    expect(account).toEqual({
      name: `mlops-rc-${mine.instanceId}`,
      uid: expect.any(Number),
      gid: expect.any(Number),
    });
    const jobs = new RayJobsClient({
      dashboardUrl: mine.dashboardUrl!,
      token: mine.token!,
    });
    const paths = [
      authDb,
      '/etc/shadow',
      otherToken,
      `/proc/${process.pid}/environ`,
    ];
    await jobs.submit({
      submissionId: 'probe',
      entrypoint: 'python -c "import os; exec(os.environ[\'PROBE\'])"',
      envVars: {
        PROBE,
        PROBE_PATHS: JSON.stringify(paths),
        PROBE_SECRET_REVERSED: [...secret].reverse().join(''),
        PROBE_URL: `http://127.0.0.1:${
          (server.address() as AddressInfo).port
        }/`,
      },
    });
    const status = await waitFor(
      'the probe to finish',
      async () => {
        const job = await jobs.getJob('probe');
        return job && ['SUCCEEDED', 'FAILED'].includes(job.status)
          ? job.status
          : undefined;
      },
      120_000,
    );
    const log = (await jobs.getLogs('probe')) ?? '';
    expect({ status, log }).toEqual({
      status: 'SUCCEEDED',
      log: expect.stringContaining('PROBE '),
    });
    const probe = JSON.parse(/^PROBE (.*)$/m.exec(log)![1]);
    expect(probe).toEqual({
      uid: account!.uid,
      groups: [],
      reads: Object.fromEntries(paths.map(path => [path, 'PermissionError'])),
      secret_in_environment: false,
      download: 'dataset handed over',
    });

    // Deleting the clusters ends every process of their accounts and removes the accounts.
    const otherAccount = await lookupUser(clusterUserName(other.instanceId));
    await registry.delete('rc-isolated');
    await registry.delete('rc-other-team');
    expect(await processesOfUser(account!.uid)).toEqual([]);
    expect(await lookupUser(account!.name)).toBeUndefined();
    expect(await lookupUser(otherAccount!.name)).toBeUndefined();
    expect(existsSync(otherToken)).toBe(false);
  });
});
