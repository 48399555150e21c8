import { LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import {
  CUSTOM_MODEL_TEMPLATE_PREFIX,
  TrainingJobState,
} from '@internal/backstage-plugin-experiments-common';
import { JobMilestone } from '../database/DatabaseJobStore';
import { QueueDepth } from './queueDepth';

/** Where the gauges read the current numbers from, on each scrape. */
export type ExperimentsMetricsSources = {
  /** The built-in model templates: each has its series, 0 before its first job. */
  templateIds(): string[];
  countJobs(): Promise<
    Array<{ state: TrainingJobState; templateId: string; count: number }>
  >;
  oldestQueuedJob(): Promise<Date | undefined>;
  queueDepth: QueueDepth;
};

/** A gauge that takes longer than this to read is left out of that scrape. */
const READ_TIMEOUT_MS = 5_000;

const JOB_STATES: TrainingJobState[] = [
  'QUEUED',
  'STARTING',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
];

const START_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
const DURATION_BUCKETS_SECONDS = [
  10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400,
];

/**
 * The template label: the id of a built-in model template (a fixed set), or `custom` for every
 * custom model version, whose ids name user models and would make a series per model.
 */
export function templateLabel(templateId: string | undefined): string {
  if (!templateId) return 'unknown';
  return templateId.startsWith(CUSTOM_MODEL_TEMPLATE_PREFIX)
    ? 'custom'
    : templateId;
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${READ_TIMEOUT_MS} ms`)),
      READ_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The experiments plugin's metrics, created once per plugin through the MetricsService
 * (OpenTelemetry underneath; the backend's Prometheus exporter serves them). Labels are the job
 * state and the model template only: never job ids, users or datasets.
 *
 * - mlops_training_jobs{state,template}: jobs by state (gauge, read from the database)
 * - mlops_job_queue_messages{queue="main"|"dead"}: messages waiting in the job queue, and
 *   dead-lettered ones (gauge, read from the broker or the queue table)
 * - mlops_job_queue_oldest_message_age_seconds: how long the oldest job still waiting for a
 *   worker (state QUEUED) has waited since it was submitted; 0 when none waits (gauge)
 * - mlops_training_job_start_delay_seconds{template}: submission to running (histogram)
 * - mlops_training_job_duration_seconds{template,state}: submission to the final state
 *   (histogram; `state` is SUCCEEDED, FAILED or CANCELLED)
 */
export class ExperimentsMetrics {
  private readonly jobs;
  private readonly queueMessages;
  private readonly oldestQueued;
  private readonly startDelay;
  private readonly duration;

  constructor(
    metrics: MetricsService,
    private readonly logger?: LoggerService,
  ) {
    this.jobs = metrics.createObservableGauge<{
      state: string;
      template: string;
    }>('mlops_training_jobs', {
      description: 'Training jobs by state and model template',
    });
    this.queueMessages = metrics.createObservableGauge<{ queue: string }>(
      'mlops_job_queue_messages',
      {
        description:
          'Messages in the training job queue: waiting for a worker (main) or dead-lettered (dead)',
      },
    );
    this.oldestQueued = metrics.createObservableGauge(
      'mlops_job_queue_oldest_message_age_seconds',
      {
        description:
          'How long the oldest training job waiting for a worker has waited since it was submitted',
        unit: 's',
      },
    );
    this.startDelay = metrics.createHistogram<{ template: string }>(
      'mlops_training_job_start_delay_seconds',
      {
        description: 'Time from the submission of a training job to it running',
        unit: 's',
        advice: { explicitBucketBoundaries: START_BUCKETS_SECONDS },
      },
    );
    this.duration = metrics.createHistogram<{
      template: string;
      state: string;
    }>('mlops_training_job_duration_seconds', {
      description:
        'Time from the submission of a training job to its final state',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
    });
  }

  /** Records a job that started or ended (see DatabaseJobStore's onMilestone). */
  recordMilestone({ job, started, finished }: JobMilestone): void {
    const template = templateLabel(job.config?.template?.id);
    if (started && job.startedAt) {
      this.startDelay.record(secondsBetween(job.createdAt, job.startedAt), {
        template,
      });
    }
    if (finished && job.finishedAt) {
      this.duration.record(secondsBetween(job.createdAt, job.finishedAt), {
        template,
        state: job.state,
      });
    }
  }

  /** Makes the gauges read from `sources` whenever the metrics are collected. */
  observe(sources: ExperimentsMetricsSources): void {
    this.jobs.addCallback(async result => {
      const counts = await this.read(sources.countJobs(), 'job counts');
      if (!counts) return;
      // Every state of every template, 0 included: a state that empties reads 0 rather than
      // vanishing from the graphs.
      const byTemplate = new Map<string, Map<string, number>>();
      const statesOf = (template: string) => {
        const states =
          byTemplate.get(template) ??
          new Map(JOB_STATES.map(s => [s as string, 0]));
        byTemplate.set(template, states);
        return states;
      };
      sources.templateIds().forEach(id => statesOf(templateLabel(id)));
      for (const { state, templateId, count } of counts) {
        const states = statesOf(templateLabel(templateId));
        states.set(state, (states.get(state) ?? 0) + count);
      }
      for (const [template, states] of byTemplate) {
        for (const [state, count] of states) {
          result.observe(count, { state, template });
        }
      }
    });
    this.queueMessages.addCallback(async result => {
      const depth = await this.read(
        sources.queueDepth.messages(),
        'queue depth',
      );
      if (depth) {
        result.observe(depth.main, { queue: 'main' });
        result.observe(depth.dead, { queue: 'dead' });
      }
    });
    this.oldestQueued.addCallback(async result => {
      const oldest = await this.read(
        sources.oldestQueuedJob(),
        'oldest queued job',
      );
      if (oldest === null) return;
      result.observe(
        oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
      );
    });
  }

  /** The value, or null (left out of this scrape) when it cannot be read now. */
  private async read<T>(promise: Promise<T>, what: string): Promise<T | null> {
    try {
      return await withTimeout(promise, what);
    } catch (error) {
      this.logger?.debug(`Metrics: could not read the ${what}: ${error}`);
      return null;
    }
  }
}
