import { ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/**
 * How a test suite uses a shared message broker: `shared` while it only talks to it (suites run
 * side by side), `exclusive` while it restarts it (it waits for the others, and they for it).
 *
 * @public
 */
export type TestBrokerLockMode = 'shared' | 'exclusive';

/** The lock file of one broker address, the same for every Jest worker and process here. */
function lockFileOf(brokerUrl: string): string {
  const { hostname, port } = new URL(brokerUrl);
  const key = `${hostname}_${port || 'default'}`.replace(/[^\w.-]/g, '_');
  return path.join(os.tmpdir(), `mlops-test-broker-${key}.lock`);
}

/**
 * Takes a lock on the test broker at `brokerUrl` (util-linux `flock` on a file in the temp
 * folder), so that a suite that restarts the broker never runs beside one that uses it. The kernel
 * releases the lock when the holder dies, so a crashed test run leaves no stale lock. Resolves
 * with the function that releases it; rejects when `flock` is missing or the lock is not free
 * within `timeoutMs`. Without `flock` a shared lock is granted at once (nothing can restart the
 * broker there) and an exclusive one fails.
 *
 * @public
 */
export async function lockTestBroker(
  brokerUrl: string,
  mode: TestBrokerLockMode,
  timeoutMs = 300_000,
): Promise<() => Promise<void>> {
  const lockFile = lockFileOf(brokerUrl);
  // flock holds the lock while its command runs; the command runs until its stdin closes.
  const holder: ChildProcess = spawn(
    'flock',
    [
      mode === 'exclusive' ? '--exclusive' : '--shared',
      '--timeout',
      String(Math.ceil(timeoutMs / 1000)),
      lockFile,
      '-c',
      'echo locked; exec cat >/dev/null',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: process.env },
  );
  const exited = new Promise<void>(resolve => {
    holder.once('close', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    holder.stderr!.on('data', chunk => {
      stderr += chunk;
    });
    holder.stdout!.once('data', () => resolve());
    holder.once('error', (error: NodeJS.ErrnoException) => {
      // Without flock nothing can take the exclusive lock either (a restarting suite needs it).
      if (error.code === 'ENOENT' && mode === 'shared') {
        resolve();
        return;
      }
      reject(
        new Error(
          `Cannot lock the test broker ${lockFile}: ${error.message} (is util-linux flock installed?)`,
        ),
      );
    });
    holder.once('close', code =>
      reject(
        new Error(
          `Could not take the ${mode} lock ${lockFile} within ${timeoutMs} ms (flock exited with ${code}${
            stderr ? `: ${stderr.trim()}` : ''
          })`,
        ),
      ),
    );
  });
  return async () => {
    if (holder.exitCode !== null || holder.pid === undefined) return;
    holder.stdin!.end();
    await exited;
  };
}

/**
 * Holds the lock of {@link lockTestBroker} for the whole Jest suite that calls it (from
 * `beforeAll` to `afterAll`).
 *
 * @public
 */
export function holdTestBrokerLock(
  brokerUrl: string,
  mode: TestBrokerLockMode = 'shared',
  timeoutMs = 300_000,
): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await lockTestBroker(brokerUrl, mode, timeoutMs);
  }, timeoutMs + 10_000);
  afterAll(async () => {
    await release?.();
  });
}
