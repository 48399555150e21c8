import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sleep } from './processes';

/** The system account the processes of one local cluster run as. */
export type RayUser = { name: string; uid: number; gid: number };

const INSTANCE_ID = /^[0-9a-z]{1,20}$/;
/** useradd's and userdel's exit statuses (shadow-utils). */
const CANNOT_LOCK = 10;
const NAME_IN_USE = 9;
const NO_SUCH_USER = 6;

/**
 * Only root can start processes as another user. A backend that is not root runs every local
 * cluster as itself: no isolation of the code that runs in them (docs/security-model-ray.md).
 */
export function canSwitchUsers(): boolean {
  return process.getuid?.() === 0;
}

/** `mlops-rc-<instance id>`: one account per cluster instance, so no cluster reads another's files. */
export function clusterUserName(instanceId: string): string {
  if (!INSTANCE_ID.test(instanceId)) {
    throw new Error(`Invalid cluster instance id '${instanceId}'`);
  }
  return `mlops-rc-${instanceId}`;
}

/** Runs `command`; resolves with its exit status (-1 when it could not run). */
function run(command: string, args: string[]): Promise<number> {
  return new Promise(resolve => {
    execFile(command, args, error => {
      if (!error) {
        resolve(0);
        return;
      }
      const code = (error as { code?: unknown }).code;
      resolve(typeof code === 'number' ? code : -1);
    });
  });
}

/** The account named `name` in /etc/passwd (where useradd puts system accounts), if any. */
export async function lookupUser(name: string): Promise<RayUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [entry, , uid, gid] = line.split(':');
    if (entry === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * The account of the cluster instance, created on first use: a system account with its own
 * group, no home and no login shell. Undefined when the backend cannot switch users.
 */
export async function ensureClusterUser(
  instanceId: string,
): Promise<RayUser | undefined> {
  if (!canSwitchUsers()) return undefined;
  const name = clusterUserName(instanceId);
  for (let attempt = 0; ; attempt++) {
    const existing = await lookupUser(name);
    if (existing) return existing;
    // prettier-ignore
    const code = await run('useradd', [
      '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
      '--shell', '/usr/sbin/nologin', '--comment', `MLOps portal Ray cluster ${instanceId}`,
      name,
    ]);
    if (code === 0 || code === NAME_IN_USE) continue;
    if (code === CANNOT_LOCK && attempt < 20) {
      await sleep(250); // Another cluster's account is being created.
      continue;
    }
    throw new Error(
      code === -1
        ? `could not create the system user ${name} for the cluster: useradd is not installed (Debian: apt-get install passwd)`
        : `could not create the system user ${name} for the cluster (useradd exited with ${code})`,
    );
  }
}

/** Removes the account of the cluster instance (and its group); no account is not an error. */
export async function removeClusterUser(instanceId: string): Promise<void> {
  if (!canSwitchUsers()) return;
  const name = clusterUserName(instanceId);
  for (let attempt = 0; ; attempt++) {
    const code = await run('userdel', [name]);
    if (code === 0 || code === NO_SUCH_USER) return;
    if (code === CANNOT_LOCK && attempt < 20) {
      await sleep(250);
      continue;
    }
    throw new Error(
      `could not remove the system user ${name} (userdel exited with ${code})`,
    );
  }
}

/**
 * Whether `user` can run the Python environment of `rayExecutable` and import Ray: tried as that
 * account, as the head will be. Undefined when it can, else the last line the attempt printed
 * (naming what is in the way, e.g. a folder only root may enter).
 */
export function cannotRunRay(
  user: RayUser,
  rayExecutable: string,
): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile(
      join(dirname(rayExecutable), 'python'),
      ['-c', 'import ray'],
      {
        uid: user.uid,
        gid: user.gid,
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
        timeout: 120_000,
      },
      (error, _stdout, stderr) => {
        if (!error) resolve(undefined);
        else {
          const lines = String(stderr).trim().split('\n');
          resolve(lines[lines.length - 1] || error.message);
        }
      },
    );
  });
}
