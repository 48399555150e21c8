import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';

/** Ray's default worker port range and Redis port, which the portal's heads must not take. */
function isReservedForRay(port: number) {
  return (port >= 10002 && port <= 19999) || port === 6379;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct loopback ports that are free now and outside the ranges Ray uses itself. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freeLoopbackPort();
    if (!isReservedForRay(port)) ports.add(port);
  }
  return [...ports];
}

/** Ids of the processes (other than this one) whose command line and real uid `match`. */
async function processesWhere(
  match: (cmdline: string, uid: number) => boolean,
): Promise<number[]> {
  const pids = (await readdir('/proc')).filter(entry => /^\d+$/.test(entry));
  const found: number[] = [];
  await Promise.all(
    pids.map(async pid => {
      try {
        const [cmdline, status] = await Promise.all([
          readFile(`/proc/${pid}/cmdline`, 'utf8'),
          readFile(`/proc/${pid}/status`, 'utf8'),
        ]);
        const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
        if (match(cmdline, uid) && Number(pid) !== process.pid) {
          found.push(Number(pid));
        }
      } catch {
        // The process ended while we looked.
      }
    }),
  );
  return found.sort((a, b) => a - b);
}

/** Ids of the processes whose command line contains `marker` (read from /proc). */
export function processesMentioning(marker: string): Promise<number[]> {
  return processesWhere(cmdline => cmdline.includes(marker));
}

/** Ids of the processes running as `uid`. */
export function processesOfUser(uid: number): Promise<number[]> {
  return processesWhere((_cmdline, processUid) => processUid === uid);
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Ends every process whose command line mentions `marker`: SIGTERM, then SIGKILL for whatever is
 * left after `graceMs`. Resolves once none is left (or throws naming the survivors).
 */
export async function sweepProcesses(
  marker: string,
  graceMs = 5_000,
): Promise<void> {
  await sweep(() => processesMentioning(marker), marker, graceMs);
}

/**
 * Ends every process of the user `uid` (a cluster's own account: whatever its jobs left running,
 * under any name), like {@link sweepProcesses}.
 */
export async function sweepUserProcesses(
  uid: number,
  graceMs = 5_000,
): Promise<void> {
  if (uid === 0 || uid === process.getuid?.()) {
    throw new Error(`Refusing to end every process of uid ${uid}`);
  }
  await sweep(() => processesOfUser(uid), `uid ${uid}`, graceMs);
}

async function sweep(
  find: () => Promise<number[]>,
  what: string,
  graceMs: number,
): Promise<void> {
  let pids = await find();
  pids.forEach(pid => signal(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(200);
    pids = await find();
  }
  for (let attempt = 0; pids.length > 0 && attempt < 25; attempt++) {
    pids.forEach(pid => signal(pid, 'SIGKILL'));
    await sleep(200);
    pids = await find();
  }
  if (pids.length > 0) {
    throw new Error(`Processes ${pids.join(', ')} of ${what} survived SIGKILL`);
  }
}
