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

/** Ids of the processes whose command line contains `marker` (read from /proc). */
export async function processesMentioning(marker: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter(entry => /^\d+$/.test(entry));
  const found: number[] = [];
  await Promise.all(
    pids.map(async pid => {
      try {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(marker) && Number(pid) !== process.pid) {
          found.push(Number(pid));
        }
      } catch {
        // The process ended while we looked.
      }
    }),
  );
  return found.sort((a, b) => a - b);
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
  let pids = await processesMentioning(marker);
  pids.forEach(pid => signal(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(200);
    pids = await processesMentioning(marker);
  }
  for (let attempt = 0; pids.length > 0 && attempt < 25; attempt++) {
    pids.forEach(pid => signal(pid, 'SIGKILL'));
    await sleep(200);
    pids = await processesMentioning(marker);
  }
  if (pids.length > 0) {
    throw new Error(
      `Processes ${pids.join(', ')} of ${marker} survived SIGKILL`,
    );
  }
}
