import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** For tests: the moto_server executable on PATH (scripts/lib/env.sh puts .venv/bin there). */
export function motoServerPath(): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map(dir => join(dir, 'moto_server'))
    .find(path => existsSync(path));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * For tests that switch moto's credential checks on: a private moto server, so that the switch
 * cannot affect tests running at the same time against the shared one.
 */
export async function startMotoServer(
  executable: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    executable,
    ['-H', '127.0.0.1', '-p', String(port)],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`moto_server did not start on ${url}`);
}

/** Turns moto's credential checks on: from now on every request needs known credentials. */
export async function requireMotoAuth(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: '0',
  });
  if (!res.ok) throw new Error(`moto reset-auth answered ${res.status}`);
}
