import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DriftCheck,
  DriftMonitor,
} from '@internal/backstage-plugin-drift-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { signedHeaders } from './signedWebhook';

/** Where drift alerts go besides Backstage notifications: an n8n Webhook node. */
export type DriftWebhook = { url: string; secret?: string };

/** The JSON body of a `drift.detected` delivery. */
export type DriftDetectedEvent = {
  event: 'drift.detected';
  monitor: Pick<
    DriftMonitor,
    'id' | 'name' | 'owner' | 'deploymentId' | 'deploymentName' | 'modelName'
  >;
  check: Pick<
    DriftCheck,
    | 'id'
    | 'trigger'
    | 'startedAt'
    | 'finishedAt'
    | 'verdict'
    | 'modelVersion'
    | 'instances'
    | 'driftScore'
    | 'estimatedAccuracy'
    | 'realAccuracy'
  >;
  link: string;
};

const RETRY_DELAYS_MS = [1_000, 5_000];

const percent = (value?: number) =>
  value === undefined ? 'unknown' : `${Math.round(value * 100)} %`;

/**
 * Tells a monitor's team when a check finds drift: a Backstage notification to the team, and a
 * signed delivery to the n8n webhook (HMAC-SHA256 over timestamp and body, retried on network
 * errors and 5xx answers).
 */
export class DriftAlerts {
  constructor(
    private readonly deps: {
      notifications?: NotificationService;
      webhook?: DriftWebhook;
      /** The portal's address, for links (app.baseUrl). */
      appBaseUrl: string;
      logger: LoggerService;
      retryDelaysMs?: number[];
    },
  ) {}

  /** Alerts about a finished check when it found drift; says nothing otherwise. */
  async checkFinished(monitor: DriftMonitor, check: DriftCheck): Promise<void> {
    if (check.status !== 'SUCCEEDED' || check.verdict !== 'DRIFT') return;
    const link = `${this.deps.appBaseUrl}/drift/monitors/${monitor.id}`;
    await Promise.all([
      this.notify(monitor, check, link),
      this.deliver(this.event(monitor, check, link)),
    ]);
  }

  private async notify(monitor: DriftMonitor, check: DriftCheck, link: string) {
    const { notifications, logger } = this.deps;
    if (!notifications) return;
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: monitor.owner },
        payload: {
          title: `Drift detected: ${monitor.deploymentName}`,
          description: `Monitor ${monitor.name}: model ${
            monitor.modelName
          } version ${check.modelVersion ?? '?'} sees drift (score ${(
            check.driftScore ?? 0
          ).toFixed(2)}); estimated accuracy ${percent(
            check.estimatedAccuracy,
          )}.`,
          link,
          severity: 'high',
          topic: `drift:${monitor.id}`,
        },
      });
    } catch (error) {
      logger.warn(
        `Could not notify ${monitor.owner} of drift on monitor ${monitor.id}: ${error}`,
      );
    }
  }

  private event(
    monitor: DriftMonitor,
    check: DriftCheck,
    link: string,
  ): DriftDetectedEvent {
    const { id, name, owner, deploymentId, deploymentName, modelName } =
      monitor;
    const {
      report: _report,
      message: _message,
      monitorId: _m,
      ...rest
    } = check;
    return {
      event: 'drift.detected',
      monitor: { id, name, owner, deploymentId, deploymentName, modelName },
      check: rest,
      link,
    };
  }

  private async deliver(event: DriftDetectedEvent): Promise<void> {
    const { webhook, logger } = this.deps;
    if (!webhook) return;
    const body = JSON.stringify(event);
    const delays = this.deps.retryDelaysMs ?? RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(webhook.secret ? signedHeaders(webhook.secret, body) : {}),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) return;
        problem = `answered ${response.status}`;
        if (response.status < 500) {
          logger.warn(
            `The drift webhook ${problem} to the alert of check ${event.check.id}; not retried`,
          );
          return;
        }
      } catch (error) {
        problem = `failed: ${(error as Error).message}`;
      }
      if (attempt >= delays.length) {
        logger.warn(
          `The drift webhook ${problem} for check ${event.check.id}, ${
            attempt + 1
          } attempts; giving up`,
        );
        return;
      }
      await new Promise(resolve => setTimeout(resolve, delays[attempt]));
    }
  }
}
