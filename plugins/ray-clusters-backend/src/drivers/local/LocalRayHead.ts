import { RayClusterSpec } from '@internal/backstage-plugin-ray-clusters-common';
import {
  RAY_NODE_ENVIRONMENT,
  RayDashboardClient,
} from '@internal/backstage-plugin-ray-clusters-node';
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts, sleep, sweepProcesses } from './processes';

export type LocalHeadOptions = {
  /** The `ray` executable of the Python environment Ray is installed in. */
  rayExecutable: string;
  /** Ray's temp folder for this cluster; also marks its processes. Keep it short (socket paths). */
  tempDir: string;
  token: string;
  spec: RayClusterSpec;
  objectStoreBytes: number;
  startTimeoutMs: number;
  /** Called when the head exits without being asked to. */
  onUnexpectedExit: (reason: string) => void;
};

const READY_MARKER = 'Ray runtime started';

/**
 * One `ray start --head --block` process the portal started: loopback only, own ports, own temp
 * folder, token authentication, capped CPUs/GPUs/memory.
 */
export class LocalRayHead {
  private child?: ChildProcess;
  private stopping = false;
  dashboardUrl?: string;

  constructor(private readonly options: LocalHeadOptions) {}

  get logPath() {
    return join(this.options.tempDir, 'portal-head.log');
  }

  get pid() {
    return this.child?.pid;
  }

  /** Starts the head and waits until its dashboard answers with the token and the node is up. */
  async start(): Promise<string> {
    const { tempDir, token, spec } = this.options;
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const tokenPath = join(tempDir, 'auth_token');
    await writeFile(tokenPath, token, { mode: 0o600 });
    const [gcs, dashboard, client, agent] = await freePorts(4);
    // prettier-ignore
    const args = [
      'start', '--head', '--block',
      '--node-ip-address', '127.0.0.1',
      '--port', String(gcs),
      '--include-dashboard', 'true',
      '--dashboard-host', '127.0.0.1', '--dashboard-port', String(dashboard),
      '--ray-client-server-port', String(client),
      '--dashboard-agent-listen-port', String(agent),
      '--temp-dir', tempDir,
      '--num-cpus', String(spec.cpus),
      '--num-gpus', String(spec.gpus),
      '--object-store-memory', String(this.options.objectStoreBytes),
      ...(spec.memoryBytes ? ['--memory', String(spec.memoryBytes)] : []),
      '--disable-usage-stats', '--log-style', 'record',
    ];
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.RAY_ADDRESS;
    delete env.RAY_AUTH_TOKEN;
    Object.assign(env, {
      RAY_AUTH_MODE: 'token',
      RAY_AUTH_TOKEN_PATH: tokenPath,
      // Keeps GCS and raylet on loopback instead of the machine's routable address.
      RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: '0',
      // A single-node cluster has nowhere to drain to: stop at once.
      RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S: '0',
      PYTHONUNBUFFERED: '1',
      ...RAY_NODE_ENVIRONMENT,
    });
    const log = openSync(this.logPath, 'w');
    this.stopping = false;
    const child = spawn(this.options.rayExecutable, args, {
      cwd: tempDir,
      env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    let exited: string | undefined;
    child.once('error', error => {
      exited = `could not run ${this.options.rayExecutable}: ${error.message}`;
    });
    child.once('exit', (code, sig) => {
      exited = `the Ray head exited (${sig ?? `code ${code}`})`;
      if (!this.stopping) this.options.onUnexpectedExit(exited);
    });
    const url = `http://127.0.0.1:${dashboard}`;
    const client_ = new RayDashboardClient({
      dashboardUrl: url,
      token,
      timeoutMs: 2_000,
    });
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`${exited}: ${await this.logTail()}`);
      }
      const log_ = await readFile(this.logPath, 'utf8').catch(() => '');
      if (log_.includes(READY_MARKER)) {
        try {
          await client_.getVersion();
          this.dashboardUrl = url;
          return url;
        } catch {
          // The dashboard is not up yet.
        }
      }
      await sleep(500);
    }
    await this.stop();
    throw new Error(
      `the Ray head did not start within ${
        this.options.startTimeoutMs / 1000
      } s: ${await this.logTail()}`,
    );
  }

  /** Stops the head: its process group, then any process that still mentions its temp folder. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>(resolve => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([exited, sleep(10_000)]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Ended with SIGTERM.
      }
    }
    await sweepProcesses(this.options.tempDir);
    this.child = undefined;
  }

  /** Stops the head and removes its temp folder. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.options.tempDir, { recursive: true, force: true });
  }

  private async logTail(): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.trim().split('\n').slice(-5).join(' | ') || 'no output';
  }
}
