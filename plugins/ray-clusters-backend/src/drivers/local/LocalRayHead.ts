import { RayClusterSpec } from '@internal/backstage-plugin-ray-clusters-common';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  open,
  readFile,
  rename,
  rm,
} from 'node:fs/promises';
import { join } from 'node:path';
import { RayUser } from './clusterUsers';
import { rayHeadEnvironment } from './environment';
import { removeTargetsFile, writeTargetsFile } from './prometheusTargets';
import {
  freePorts,
  sleep,
  sweepProcesses,
  sweepUserProcesses,
} from './processes';

export type LocalHeadOptions = {
  /** The `ray` executable of the Python environment Ray is installed in. */
  rayExecutable: string;
  /**
   * This cluster's folder; also marks its processes. Keep it short (Ray's unix sockets lie in
   * it). The backend's, holding the head's log and `user/`, the cluster account's folder.
   */
  tempDir: string;
  /** The account the head runs as; undefined: the backend's own (it cannot switch users). */
  user?: RayUser;
  token: string;
  spec: RayClusterSpec;
  objectStoreBytes: number;
  startTimeoutMs: number;
  /** Called when the head exits without being asked to. */
  onUnexpectedExit: (reason: string) => void;
  /** The portal's name of the cluster: the `ray_cluster` label of its metrics. */
  clusterName: string;
  /**
   * Where the head's metrics ports are written for Prometheus's file-based service discovery
   * while it runs; undefined: nowhere.
   */
  targetsFile?: string;
  /** The Prometheus the head's dashboard reads metrics from. */
  prometheusUrl?: string;
  /** Told what went wrong where the head runs on regardless (its scrape target). */
  warn: (message: string) => void;
};

const READY_MARKER = 'Ray runtime started';

/**
 * Starts the head as the cluster's account with umask 077, after making its HOME and TMPDIR (as
 * that account: the backend creates nothing inside a folder the account owns but the token).
 */
const LAUNCHER = 'umask 077 && mkdir -p "$HOME" "$TMPDIR" && exec "$0" "$@"';

/**
 * One `ray start --head --block` process the portal started: loopback only, own ports, own temp
 * folder, token authentication, capped CPUs/GPUs/memory, run as the cluster's own account with
 * a minimal environment (see docs/security-model-ray.md).
 */
export class LocalRayHead {
  private child?: ChildProcess;
  private stopping = false;
  dashboardUrl?: string;

  constructor(private readonly options: LocalHeadOptions) {}

  get logPath() {
    return join(this.options.tempDir, 'portal-head.log');
  }

  /**
   * The cluster account's folder (0700): the token, HOME, TMPDIR and Ray's temp folder, which
   * Ray makes world-writable (0777) and which is therefore only safe inside it.
   */
  get userDir() {
    return join(this.options.tempDir, 'user');
  }

  get pid() {
    return this.child?.pid;
  }

  /**
   * Starts the head and waits until its dashboard answers with the token and the node is up;
   * then tells Prometheus where its metrics are.
   */
  async start(): Promise<string> {
    const { token, spec, user } = this.options;
    const tokenPath = await this.prepareFolders(token);
    // The node's metrics (ray_*), and those of the dashboard and the autoscaler.
    const [gcs, dashboard, client, agent, ...metrics] = await freePorts(7);
    const [nodeMetrics, dashboardMetrics, autoscalerMetrics] = metrics;
    // prettier-ignore
    const args = [
      'start', '--head', '--block',
      '--node-ip-address', '127.0.0.1',
      '--port', String(gcs),
      '--include-dashboard', 'true',
      '--dashboard-host', '127.0.0.1', '--dashboard-port', String(dashboard),
      '--ray-client-server-port', String(client),
      '--dashboard-agent-listen-port', String(agent),
      '--metrics-export-port', String(nodeMetrics),
      '--temp-dir', join(this.userDir, 'ray'),
      '--num-cpus', String(spec.cpus),
      '--num-gpus', String(spec.gpus),
      '--object-store-memory', String(this.options.objectStoreBytes),
      ...(spec.memoryBytes ? ['--memory', String(spec.memoryBytes)] : []),
      '--disable-usage-stats', '--log-style', 'record',
    ];
    const env = rayHeadEnvironment({
      rayExecutable: this.options.rayExecutable,
      userName: user?.name,
      home: join(this.userDir, 'home'),
      tmp: join(this.userDir, 'tmp'),
      tokenPath,
      prometheusUrl: this.options.prometheusUrl,
      metricsPorts: {
        dashboard: dashboardMetrics,
        autoscaler: autoscalerMetrics,
      },
    });
    const log = openSync(this.logPath, 'w', 0o600);
    this.stopping = false;
    const child = spawn(
      '/bin/sh',
      ['-c', LAUNCHER, this.options.rayExecutable, ...args],
      {
        cwd: this.userDir,
        env,
        detached: true,
        stdio: ['ignore', log, log],
        // libuv drops the supplementary groups too.
        ...(user && { uid: user.uid, gid: user.gid }),
      },
    );
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
          await this.announceMetrics(metrics);
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

  /**
   * Writes the head's scrape targets for Prometheus (never throws: the head runs on without).
   * A stop that began meanwhile may have missed the file: it is removed again.
   */
  private async announceMetrics(ports: number[]) {
    const { targetsFile, clusterName } = this.options;
    if (!targetsFile) return;
    try {
      await writeTargetsFile(targetsFile, [
        {
          targets: ports.map(port => `127.0.0.1:${port}`),
          labels: { ray_cluster: clusterName },
        },
      ]);
    } catch (error) {
      this.options.warn(
        `Prometheus will not scrape this head: could not write ${targetsFile}: ${
          (error as Error).message
        }`,
      );
    }
    if (this.stopping) await this.withdrawMetrics();
  }

  private async withdrawMetrics() {
    const { targetsFile } = this.options;
    if (!targetsFile) return;
    try {
      await removeTargetsFile(targetsFile);
    } catch (error) {
      this.options.warn(
        `could not remove ${targetsFile}: ${(error as Error).message}`,
      );
    }
  }

  /**
   * The backend's folder of the cluster (0711: the account may pass, not list) and in it the
   * account's own folder (0700) holding the token, readable by the account only. Returns the
   * token's path.
   */
  private async prepareFolders(token: string): Promise<string> {
    const { tempDir, user } = this.options;
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const folder = await lstat(tempDir);
    if (!folder.isDirectory() || folder.uid !== process.getuid?.()) {
      throw new Error(
        `${tempDir} exists and is not a folder of the backend's user`,
      );
    }
    await chmod(tempDir, user ? 0o711 : 0o700);
    await mkdir(this.userDir, { recursive: true, mode: 0o700 });
    if (user) await chown(this.userDir, user.uid, user.gid);
    await chmod(this.userDir, 0o700);
    // Written under a new name and renamed into place, with the owner set on the open file:
    // nothing the account may have put in its folder is followed.
    const tokenPath = join(this.userDir, 'auth_token');
    const fresh = join(
      this.userDir,
      `.auth_token.${randomBytes(6).toString('hex')}`,
    );
    const file = await open(fresh, 'wx', 0o600);
    try {
      if (user) await file.chown(user.uid, user.gid);
      await file.writeFile(token);
    } finally {
      await file.close();
    }
    await rename(fresh, tokenPath);
    return tokenPath;
  }

  /**
   * Stops the head: withdraws its scrape target, ends its process group, then any process that
   * still mentions its temp folder or runs as the cluster's account.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.withdrawMetrics();
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
    if (this.options.user) await sweepUserProcesses(this.options.user.uid);
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
