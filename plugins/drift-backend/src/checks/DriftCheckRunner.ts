import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  DriftCheck,
  DriftMonitor,
  DriftReport,
} from '@internal/backstage-plugin-drift-common';
import {
  RayJobsClient,
  RayJobStatus,
} from '@internal/backstage-plugin-experiments-node';
import { RayClustersService } from '@internal/backstage-plugin-ray-clusters-node';
import { inferenceLogUri, InferenceLogSettings } from '@internal/mlops-node';
import { CheckOutcome, DatabaseDriftStore } from '../database';

const REPORT_KIND = 'mlops.drift_report';
const ERROR_KIND = 'mlops.error';
const ENDED: RayJobStatus[] = ['SUCCEEDED', 'FAILED', 'STOPPED'];
const MAX_LABELS = 20_000;
const MAX_LABELS_BYTES = 120_000;

/** The Ray job of a check: one per check, so a repeated submit is harmless. */
export const checkSubmissionId = (checkId: string) => `drift-check-${checkId}`;

/** MLflow's address and the owning team's credentials, for the check's Ray job. */
export type CheckJobEnvironment = (
  monitor: DriftMonitor,
) => Promise<Record<string, string>>;

/**
 * Runs drift checks as Ray jobs (`python -m mlops_runtime.drift_check`) on the monitored
 * deployment's cluster, and records each one's report when its job ends. Nothing waits on a job:
 * `refresh` reads its state whenever someone looks (the API) and on the plugin's schedule.
 */
export class DriftCheckRunner {
  constructor(
    private readonly deps: {
      store: DatabaseDriftStore;
      rayClusters: RayClustersService;
      inferenceLog: InferenceLogSettings;
      jobEnvironment: CheckJobEnvironment;
      logger: LoggerService;
      /** A check whose job has not ended after this long is stopped and failed. */
      timeoutMs?: number;
      /** Called once per check, by the replica that finished it; not awaited. */
      onFinished?: (monitor: DriftMonitor, check: DriftCheck) => Promise<void>;
    },
  ) {}

  /** Records a running check of `monitor` and submits its Ray job. */
  async start(
    monitor: DriftMonitor,
    trigger: DriftCheck['trigger'],
    requestedBy?: string,
  ): Promise<DriftCheck> {
    const { store } = this.deps;
    const check = await store.startCheck({
      monitorId: monitor.id,
      trigger,
      requestedBy,
    });
    try {
      await this.deps.rayClusters.ensureRunning(monitor.cluster);
      await this.jobs(monitor.cluster).submit({
        submissionId: checkSubmissionId(check.id),
        entrypoint: 'python -m mlops_runtime.drift_check',
        envVars: {
          ...(await this.deps.jobEnvironment(monitor)),
          MLOPS_DRIFT_CHECK_CONFIG: JSON.stringify(this.checkConfig(monitor)),
          MLOPS_DRIFT_CHECK_LABELS: await this.labelsVariable(monitor),
        },
        entrypointNumCpus: 0,
        metadata: { 'mlops.kind': 'drift-check', 'mlops.monitor': monitor.id },
      });
    } catch (error) {
      const message = `The check could not start on Ray cluster "${
        monitor.cluster
      }": ${(error as Error).message}`;
      if (await store.finishCheck(check.id, { status: 'FAILED', message })) {
        this.finished(
          monitor,
          (await store.getCheck(monitor.id, check.id)) ?? check,
        );
      }
      throw new ServiceUnavailableError(message);
    }
    return check;
  }

  /** The check as it stands; a running one whose job has ended is finished first. */
  async refresh(monitor: DriftMonitor, check: DriftCheck): Promise<DriftCheck> {
    if (check.status !== 'RUNNING') return check;
    const outcome = await this.outcome(monitor, check).catch(error => {
      // Ray may be restarting: the check stays running and is read again later.
      this.deps.logger.warn(
        `Could not read drift check ${check.id} from Ray: ${error}`,
      );
      return undefined;
    });
    if (!outcome) return check;
    const finishedHere = await this.deps.store.finishCheck(check.id, outcome);
    const finished =
      (await this.deps.store.getCheck(monitor.id, check.id)) ?? check;
    if (finishedHere) this.finished(monitor, finished);
    return finished;
  }

  private finished(monitor: DriftMonitor, check: DriftCheck): void {
    this.deps
      .onFinished?.(monitor, check)
      .catch(error =>
        this.deps.logger.warn(
          `After drift check ${check.id} finished: ${error}`,
        ),
      );
  }

  /** Finishes every check whose job has ended (the plugin's scheduled task). */
  async refreshAll(): Promise<void> {
    const running = await this.deps.store.runningChecks();
    const monitors = await this.deps.store.getMonitors(
      running.map(check => check.monitorId),
    );
    for (const [index, check] of running.entries()) {
      const monitor = monitors[index];
      if (monitor) await this.refresh(monitor, check);
    }
  }

  /**
   * The monitor's newest labels as {requestId: label}, as many as fit in one environment
   * variable (Linux takes at most 128 KiB per variable); labels of requests older than the
   * window do no harm.
   */
  private async labelsVariable(monitor: DriftMonitor): Promise<string> {
    const labels = await this.deps.store.latestLabels(monitor.id, MAX_LABELS);
    const entries: string[] = [];
    let size = 2;
    for (const { requestId, label } of labels) {
      const entry = `${JSON.stringify(requestId)}:${JSON.stringify(label)}`;
      size += entry.length + 1;
      if (size > MAX_LABELS_BYTES) break;
      entries.push(entry);
    }
    return `{${entries.join(',')}}`;
  }

  private checkConfig(monitor: DriftMonitor) {
    return {
      modelName: monitor.modelName,
      inferenceLogUri: inferenceLogUri(
        this.deps.inferenceLog,
        monitor.deploymentId,
      ),
      window: monitor.window,
      alpha: monitor.alpha,
    };
  }

  private async outcome(
    monitor: DriftMonitor,
    check: DriftCheck,
  ): Promise<CheckOutcome | undefined> {
    const jobs = this.jobs(monitor.cluster);
    const submissionId = checkSubmissionId(check.id);
    const info = await jobs.getJob(submissionId);
    const age = Date.now() - Date.parse(check.startedAt);
    if (!info) {
      return age > 60_000
        ? {
            status: 'FAILED',
            message: `Ray cluster "${monitor.cluster}" lost the check's job ${submissionId}`,
          }
        : undefined;
    }
    if (!ENDED.includes(info.status)) {
      if (age <= (this.deps.timeoutMs ?? 15 * 60_000)) return undefined;
      await jobs.stop(submissionId).catch(() => false);
      return {
        status: 'FAILED',
        message: `The check did not finish within ${Math.round(
          age / 60_000,
        )} minutes (Ray job ${submissionId}); it was stopped`,
      };
    }
    const logs = (await jobs.getLogs(submissionId)) ?? '';
    const { report, error } = lastResults(logs);
    if (report) return { status: 'SUCCEEDED', report };
    if (error) return { status: 'FAILED', message: error };
    this.deps.logger.warn(
      `Drift check ${check.id} (Ray job ${submissionId}) ended ${
        info.status
      } without a report; its log ends: ${logs.slice(-1000)}`,
    );
    return {
      status: 'FAILED',
      message: `The check ended ${
        info.status
      } without a report (Ray job ${submissionId}${
        info.message ? `: ${info.message}` : ''
      })`,
    };
  }

  private jobs(cluster: string): RayJobsClient {
    const access = this.deps.rayClusters
      .listClusters()
      .find(c => c.name === cluster);
    if (!access) {
      throw new ServiceUnavailableError(
        `The monitored deployment's Ray cluster "${cluster}" no longer exists`,
      );
    }
    return new RayJobsClient(access);
  }
}

/** The last report and the last error the check's job printed (one JSON object per line). */
export function lastResults(logs: string): {
  report?: DriftReport;
  error?: string;
} {
  let report: DriftReport | undefined;
  let error: string | undefined;
  for (const line of logs.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let parsed: { kind?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (parsed.kind === REPORT_KIND) {
      const { kind: _kind, ...rest } = parsed;
      report = rest as unknown as DriftReport;
    } else if (
      parsed.kind === ERROR_KIND &&
      typeof parsed.message === 'string'
    ) {
      error = parsed.message.slice(0, 2000);
    }
  }
  return { report, error };
}
