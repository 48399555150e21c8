import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { RayClusterSpec } from '@internal/backstage-plugin-ray-clusters-common';
import { RayDashboardClient } from '@internal/backstage-plugin-ray-clusters-node';
import { randomBytes } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalDriverConfig } from '../../config';
import { StoredCluster } from '../../database/ClusterStore';
import { ClusterConnection, ClusterDriver, ClusterStateReport } from '../types';
import {
  cannotRunRay,
  canSwitchUsers,
  clusterUserName,
  ensureClusterUser,
  lookupUser,
  RayUser,
  removeClusterUser,
} from './clusterUsers';
import { LocalRayHead } from './LocalRayHead';
import { sweepProcesses, sweepUserProcesses } from './processes';
import { removeTargetsFile, targetsFilePath } from './prometheusTargets';

export type LocalDriverOptions = LocalDriverConfig & {
  report: ClusterStateReport;
  logger: LoggerService;
};

type Supervised = {
  cluster: StoredCluster;
  user?: RayUser;
  head: LocalRayHead;
  restarts: number;
  lastActive: number;
  restartTimer?: NodeJS.Timeout;
};

const ACTIVE_JOB_STATES = ['PENDING', 'RUNNING'];

/** Where a local cluster's Ray keeps its files; every process of the cluster mentions it. */
export function localTempDir(tempRoot: string, cluster: StoredCluster) {
  return join(tempRoot, `mlops-rc-${cluster.instanceId}`);
}

export function newClusterToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Ray heads on this machine, one per cluster, supervised: a head that dies is restarted (with
 * backoff, a limited number of times), and a head without running jobs for longer than the
 * cluster's idle timeout is stopped. Under root each cluster runs as a system account of its own
 * (created on first start, removed with the cluster), so that the code of its jobs cannot read
 * the portal's state or another cluster's files (docs/security-model-ray.md).
 */
export class LocalDriver implements ClusterDriver {
  private readonly supervised = new Map<string, Supervised>();
  private readonly idleTimer: NodeJS.Timeout;
  /** Set once a cluster account ran Ray: every other one can too (the same modes apply). */
  private runnable = false;

  constructor(private readonly options: LocalDriverOptions) {
    this.idleTimer = setInterval(
      () => void this.stopIdleClusters(),
      options.idleCheckMs,
    );
    this.idleTimer.unref();
    if (!canSwitchUsers()) {
      options.logger.warn(
        "Local Ray clusters run as the backend's own user (it is not root and cannot switch users): code in their jobs can read everything the backend can. See docs/security-model-ray.md.",
      );
    }
  }

  async validate(cluster: StoredCluster): Promise<void> {
    try {
      await access(this.options.rayExecutable, constants.X_OK);
    } catch {
      throw new InputError(
        `The local driver needs Ray: ${this.options.rayExecutable} is not executable (set MLOPS_VENV or mlops.rayClusters.local.venv)`,
      );
    }
    if (!Number.isInteger(cluster.spec.gpus)) {
      throw new InputError('gpus must be a whole number for a local cluster');
    }
  }

  isRunning(cluster: StoredCluster): boolean {
    return this.supervised.has(cluster.name);
  }

  async start(cluster: StoredCluster): Promise<ClusterConnection> {
    if (this.supervised.has(cluster.name)) {
      throw new ConflictError(
        `Ray cluster "${cluster.name}" is already running`,
      );
    }
    const token = cluster.token ?? newClusterToken();
    const entry: Supervised = {
      cluster: { ...cluster, token },
      head: this.newHead(cluster.name, { ...cluster, token }),
      restarts: 0,
      lastActive: Date.now(),
    };
    this.supervised.set(cluster.name, entry);
    try {
      entry.user = await ensureClusterUser(cluster.instanceId);
      if (entry.user) await this.checkRunnable(entry.user);
      entry.head = this.newHead(cluster.name, entry.cluster, entry.user);
      const dashboardUrl = await entry.head.start();
      entry.lastActive = Date.now();
      return { dashboardUrl, token };
    } catch (error) {
      this.supervised.delete(cluster.name);
      await entry.head.stop();
      throw error;
    }
  }

  async stop(cluster: StoredCluster): Promise<void> {
    const entry = this.supervised.get(cluster.name);
    this.supervised.delete(cluster.name);
    clearTimeout(entry?.restartTimer);
    if (entry) {
      await entry.head.stop();
    }
    // Also ends processes, and withdraws a scrape target, that a previous backend left behind.
    await sweepProcesses(localTempDir(this.options.tempRoot, cluster));
    const targetsFile = this.targetsFile(cluster);
    if (targetsFile) await removeTargetsFile(targetsFile);
    const user =
      canSwitchUsers() &&
      (await lookupUser(clusterUserName(cluster.instanceId)));
    if (user) await sweepUserProcesses(user.uid);
  }

  async scale(
    cluster: StoredCluster,
    spec: RayClusterSpec,
  ): Promise<ClusterConnection> {
    // A Ray node's resources are fixed when it starts: a new size means a new head.
    const entry = this.supervised.get(cluster.name);
    if (entry?.head.dashboardUrl) {
      const jobs = await this.activeJobs(entry);
      if (jobs > 0) {
        throw new ConflictError(
          `Ray cluster "${cluster.name}" has ${jobs} running job(s); scale it when they have finished`,
        );
      }
    }
    await this.stop(cluster);
    return this.start({ ...cluster, spec });
  }

  async delete(cluster: StoredCluster): Promise<void> {
    await this.stop(cluster);
    await this.newHead(cluster.name, cluster).destroy();
    await removeClusterUser(cluster.instanceId);
  }

  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    const entries = [...this.supervised.values()];
    this.supervised.clear();
    await Promise.all(
      entries.map(async entry => {
        clearTimeout(entry.restartTimer);
        await entry.head.stop();
      }),
    );
  }

  private async checkRunnable(user: RayUser) {
    if (this.runnable) return;
    const why = await cannotRunRay(user, this.options.rayExecutable);
    if (why) {
      this.options.logger.error(
        `Local Ray clusters run as unprivileged accounts, and ${user.name} cannot run ${this.options.rayExecutable}: ${why}. Make the folders on that path readable by others, or rebuild the environment with scripts/bootstrap.sh.`,
      );
      throw new Error(
        "The cluster's unprivileged account cannot run the portal's Python environment (the backend log says why)",
      );
    }
    this.runnable = true;
  }

  private targetsFile(cluster: StoredCluster) {
    const dir = this.options.prometheusTargetsDir;
    return dir && targetsFilePath(dir, cluster.instanceId);
  }

  private newHead(name: string, cluster: StoredCluster, user?: RayUser) {
    return new LocalRayHead({
      rayExecutable: this.options.rayExecutable,
      tempDir: localTempDir(this.options.tempRoot, cluster),
      user,
      token: cluster.token ?? '',
      spec: cluster.spec,
      objectStoreBytes: this.options.objectStoreBytes,
      startTimeoutMs: this.options.startTimeoutMs,
      onUnexpectedExit: reason => this.onHeadDied(name, reason),
      clusterName: name,
      targetsFile: this.targetsFile(cluster),
      prometheusUrl: this.options.prometheusUrl,
      warn: message =>
        this.options.logger.warn(`Ray cluster ${name}: ${message}`),
    });
  }

  private onHeadDied(name: string, reason: string) {
    const entry = this.supervised.get(name);
    if (!entry) return;
    const { logger, report, maxRestarts, restartBackoffMs } = this.options;
    if (entry.restarts >= maxRestarts) {
      this.supervised.delete(name);
      const message = `${reason}; gave up after ${maxRestarts} restart(s)`;
      logger.error(`Ray cluster ${name}: ${message}`);
      report(name, { state: 'failed', message });
      entry.head
        .stop()
        .catch(error =>
          logger.warn(`Ray cluster ${name}: could not stop its head: ${error}`),
        );
      return;
    }
    const delay = restartBackoffMs * 2 ** entry.restarts;
    entry.restarts += 1;
    logger.warn(
      `Ray cluster ${name}: ${reason}; restart ${entry.restarts} of ${maxRestarts} in ${delay} ms`,
    );
    report(name, {
      state: 'starting',
      message: `${reason}; restarting (${entry.restarts}/${maxRestarts})`,
    });
    entry.restartTimer = setTimeout(async () => {
      entry.restartTimer = undefined;
      if (this.supervised.get(name) !== entry) return;
      try {
        await entry.head.stop();
        entry.head = this.newHead(name, entry.cluster, entry.user);
        const dashboardUrl = await entry.head.start();
        entry.lastActive = Date.now();
        report(name, {
          state: 'ready',
          message: `restarted after: ${reason}`,
          connection: { dashboardUrl, token: entry.cluster.token },
        });
      } catch (error) {
        this.onHeadDied(name, (error as Error).message);
      }
    }, delay);
  }

  private async activeJobs(entry: Supervised): Promise<number> {
    const client = new RayDashboardClient({
      dashboardUrl: entry.head.dashboardUrl!,
      token: entry.cluster.token,
    });
    const jobs = await client.listJobs();
    return jobs.filter(job => ACTIVE_JOB_STATES.includes(job.status)).length;
  }

  private async stopIdleClusters() {
    for (const entry of [...this.supervised.values()]) {
      const timeoutS = entry.cluster.spec.idleTimeoutSeconds;
      if (timeoutS <= 0 || !entry.head.dashboardUrl || entry.restartTimer) {
        continue;
      }
      try {
        if ((await this.activeJobs(entry)) > 0) {
          entry.lastActive = Date.now();
          continue;
        }
      } catch {
        continue; // Unreachable for a moment: not a reason to stop it.
      }
      if (Date.now() - entry.lastActive >= timeoutS * 1000) {
        await this.stop(entry.cluster);
        const message = `Stopped after ${timeoutS} s without running jobs`;
        this.options.logger.info(
          `Ray cluster ${entry.cluster.name}: ${message}`,
        );
        this.options.report(entry.cluster.name, { state: 'stopped', message });
      }
    }
  }
}
