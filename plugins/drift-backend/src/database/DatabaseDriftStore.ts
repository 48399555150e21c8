import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  DriftCheck,
  DriftMonitor,
  DriftReport,
  DriftWindow,
} from '@internal/backstage-plugin-drift-common';
import { migratedDatabaseClient } from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

export const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-drift-backend',
  'migrations',
);

const MONITORS = 'drift_monitors';
const CHECKS = 'drift_checks';
const LABELS = 'drift_labels';

type Timestamp = string | Date;

type MonitorRow = {
  id: string;
  name: string;
  owner: string;
  deployment_id: string;
  deployment_name: string;
  model_name: string;
  cluster: string;
  window: string;
  interval_minutes: number | null;
  alpha: number;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

type CheckRow = {
  id: string;
  monitor_id: string;
  status: DriftCheck['status'];
  trigger: DriftCheck['trigger'];
  requested_by: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  verdict: DriftCheck['verdict'] | null;
  model_version: string | null;
  instances: number | null;
  drift_score: number | null;
  estimated_accuracy: number | null;
  real_accuracy: number | null;
  message: string | null;
  report: string | null;
};

/** The true class of a logged request's input, or one per input of a batched request. */
export type RequestLabel = { requestId: string; label: string | string[] };

/** What a caller chooses when creating a monitor; the store sets the rest. */
export type NewDriftMonitor = Omit<
  DriftMonitor,
  'id' | 'createdAt' | 'updatedAt' | 'lastCheck'
>;

/** How a check ended: its report, or why there is none. */
/** Monitors, and how many of them end with each outcome of their last finished check. */
export type MonitorsByLastCheck = {
  monitors: number;
  lastChecks: (Pick<DriftCheck, 'status' | 'verdict'> & { monitors: number })[];
};

export type CheckOutcome =
  | { status: 'SUCCEEDED'; report: DriftReport }
  | { status: 'FAILED'; message: string };

const iso = (value: Timestamp) => new Date(value).toISOString();

function toMonitor(
  row: MonitorRow,
  lastCheck?: DriftCheck,
  labels = 0,
): DriftMonitor {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    deploymentId: row.deployment_id,
    deploymentName: row.deployment_name,
    modelName: row.model_name,
    cluster: row.cluster,
    window: JSON.parse(row.window) as DriftWindow,
    ...(row.interval_minutes !== null && {
      intervalMinutes: Number(row.interval_minutes),
    }),
    alpha: Number(row.alpha),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    labels,
    ...(lastCheck && { lastCheck }),
  };
}

function toCheck(row: CheckRow, withReport: boolean): DriftCheck {
  const optional = <T>(value: T | null) => (value === null ? undefined : value);
  const check: DriftCheck = {
    id: row.id,
    monitorId: row.monitor_id,
    status: row.status,
    trigger: row.trigger,
    requestedBy: optional(row.requested_by),
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? undefined : iso(row.finished_at),
    verdict: optional(row.verdict),
    modelVersion: optional(row.model_version),
    instances: row.instances === null ? undefined : Number(row.instances),
    driftScore: row.drift_score === null ? undefined : Number(row.drift_score),
    estimatedAccuracy:
      row.estimated_accuracy === null
        ? undefined
        : Number(row.estimated_accuracy),
    realAccuracy:
      row.real_accuracy === null ? undefined : Number(row.real_accuracy),
    message: optional(row.message),
    report:
      withReport && row.report !== null
        ? (JSON.parse(row.report) as DriftReport)
        : undefined,
  };
  return Object.fromEntries(
    Object.entries(check).filter(([, value]) => value !== undefined),
  ) as DriftCheck;
}

/** The `drift_monitors` and `drift_checks` tables. */
export class DatabaseDriftStore {
  static async create(database: DatabaseService): Promise<DatabaseDriftStore> {
    return new DatabaseDriftStore(
      await migratedDatabaseClient(database, migrationsDir),
    );
  }

  constructor(readonly knex: Knex) {}

  async listMonitors(owners?: string[]): Promise<DriftMonitor[]> {
    const query = this.knex<MonitorRow>(MONITORS).orderBy(['owner', 'name']);
    if (owners) query.whereIn('owner', owners);
    return this.withLastChecks(await query);
  }

  /** The monitors with the given ids, in that order; undefined where there is none. */
  async getMonitors(ids: string[]): Promise<(DriftMonitor | undefined)[]> {
    const rows = await this.knex<MonitorRow>(MONITORS).whereIn('id', ids);
    const monitors = await this.withLastChecks(rows);
    return ids.map(id => monitors.find(m => m.id === id));
  }

  async getMonitor(id: string): Promise<DriftMonitor | undefined> {
    const [monitor] = await this.getMonitors([id]);
    return monitor;
  }

  async createMonitor(input: NewDriftMonitor): Promise<DriftMonitor> {
    const now = new Date();
    const row: MonitorRow = {
      id: randomUUID(),
      name: input.name,
      owner: input.owner,
      deployment_id: input.deploymentId,
      deployment_name: input.deploymentName,
      model_name: input.modelName,
      cluster: input.cluster,
      window: JSON.stringify(input.window),
      interval_minutes: input.intervalMinutes ?? null,
      alpha: input.alpha,
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.knex(MONITORS).insert(row);
    } catch (error) {
      const existing = await this.knex(MONITORS)
        .where({ owner: input.owner, name: input.name })
        .first();
      if (existing) {
        throw new ConflictError(
          `${input.owner} already has a drift monitor named '${input.name}'`,
        );
      }
      throw error;
    }
    return toMonitor(row);
  }

  async deleteMonitor(id: string): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(LABELS).where('monitor_id', id).delete();
      await tx(CHECKS).where('monitor_id', id).delete();
      await tx(MONITORS).where('id', id).delete();
    });
  }

  /** Scheduled monitors whose latest check started `intervalMinutes` ago or more, or never. */
  async dueMonitors(now: Date): Promise<DriftMonitor[]> {
    const rows = await this.knex<MonitorRow>(MONITORS).whereNotNull(
      'interval_minutes',
    );
    const monitors = await this.withLastChecks(rows);
    return monitors.filter(monitor => {
      const last = monitor.lastCheck;
      if (!last) return true;
      if (last.status === 'RUNNING') return false;
      const next =
        Date.parse(last.startedAt) + (monitor.intervalMinutes ?? 0) * 60_000;
      return next <= now.getTime();
    });
  }

  /**
   * Records a new running check; ConflictError while another check of the monitor runs (one
   * transaction, so two replicas or two clicks cannot start two).
   */
  async startCheck(input: {
    monitorId: string;
    trigger: DriftCheck['trigger'];
    requestedBy?: string;
  }): Promise<DriftCheck> {
    return this.knex.transaction(async tx => {
      const monitor = tx<MonitorRow>(MONITORS).where('id', input.monitorId);
      await (tx.client.config.client === 'pg'
        ? monitor.forUpdate()
        : monitor
      ).first('id');
      const running = await tx<CheckRow>(CHECKS)
        .where({ monitor_id: input.monitorId, status: 'RUNNING' })
        .first('id');
      if (running) {
        throw new ConflictError(
          `A check of this monitor is already running (${running.id}); wait for it to finish`,
        );
      }
      const row: CheckRow = {
        id: randomUUID(),
        monitor_id: input.monitorId,
        status: 'RUNNING',
        trigger: input.trigger,
        requested_by: input.requestedBy ?? null,
        started_at: new Date(),
        finished_at: null,
        verdict: null,
        model_version: null,
        instances: null,
        drift_score: null,
        estimated_accuracy: null,
        real_accuracy: null,
        message: null,
        report: null,
      };
      await tx(CHECKS).insert(row);
      return toCheck(row, false);
    });
  }

  /** Ends a running check; false when it had already ended (another replica finished it). */
  async finishCheck(id: string, outcome: CheckOutcome): Promise<boolean> {
    const report = outcome.status === 'SUCCEEDED' ? outcome.report : undefined;
    const updated = await this.knex(CHECKS)
      .where({ id, status: 'RUNNING' })
      .update({
        status: outcome.status,
        finished_at: new Date(),
        message: outcome.status === 'FAILED' ? outcome.message : null,
        verdict: report?.verdict ?? null,
        model_version: report?.modelVersion ?? null,
        instances: report?.window?.instances ?? null,
        drift_score: report?.driftScore ?? null,
        estimated_accuracy: report?.accuracy?.estimated ?? null,
        real_accuracy: report?.accuracy?.real ?? null,
        report: report ? JSON.stringify(report) : null,
      });
    return updated > 0;
  }

  async getCheck(
    monitorId: string,
    checkId: string,
  ): Promise<DriftCheck | undefined> {
    const row = await this.knex<CheckRow>(CHECKS)
      .where({ id: checkId, monitor_id: monitorId })
      .first();
    return row && toCheck(row, true);
  }

  async listChecks(monitorId: string, limit: number): Promise<DriftCheck[]> {
    const rows = await this.knex<CheckRow>(CHECKS)
      .where('monitor_id', monitorId)
      .orderBy('started_at', 'desc')
      .limit(limit);
    return rows.map(row => toCheck(row, false));
  }

  /** Stores labels (a request labelled again keeps the newest); returns the monitor's count. */
  async addLabels(
    monitorId: string,
    labels: RequestLabel[],
    createdBy: string,
  ): Promise<number> {
    const now = new Date();
    // One row per request: the last label given for it in the call wins.
    const unique = new Map(labels.map(item => [item.requestId, item.label]));
    const rows = [...unique].map(([requestId, label]) => ({
      monitor_id: monitorId,
      request_id: requestId,
      label: JSON.stringify(label),
      created_by: createdBy,
      created_at: now,
    }));
    await this.knex.transaction(async tx => {
      // SQLite takes at most 999 bound values per statement: 5 per row.
      for (let first = 0; first < rows.length; first += 150) {
        await tx(LABELS)
          .insert(rows.slice(first, first + 150))
          .onConflict(['monitor_id', 'request_id'])
          .merge(['label', 'created_by', 'created_at']);
      }
    });
    return (await this.labelCounts([monitorId])).get(monitorId) ?? 0;
  }

  /** The newest labels of the monitor, newest first, up to `limit`. */
  async latestLabels(
    monitorId: string,
    limit: number,
  ): Promise<RequestLabel[]> {
    const rows: { request_id: string; label: string }[] = await this.knex(
      LABELS,
    )
      .where('monitor_id', monitorId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .select('request_id', 'label');
    return rows.map(row => ({
      requestId: row.request_id,
      label: JSON.parse(row.label),
    }));
  }

  private async labelCounts(
    monitorIds: string[],
  ): Promise<Map<string, number>> {
    const rows: { monitor_id: string; count: string | number }[] =
      await this.knex(LABELS)
        .whereIn('monitor_id', monitorIds)
        .groupBy('monitor_id')
        .select('monitor_id')
        .count({ count: '*' });
    return new Map(rows.map(row => [row.monitor_id, Number(row.count)]));
  }

  /**
   * How many monitors there are, and how many end with each outcome (status and verdict) of
   * their last finished check.
   */
  async countMonitorsByLastCheck(): Promise<MonitorsByLastCheck> {
    const latest = this.knex<CheckRow>(CHECKS)
      .select('monitor_id')
      .max({ finished_at: 'finished_at' })
      .whereNot('status', 'RUNNING')
      .groupBy('monitor_id')
      .as('latest');
    const rows: { status: string; verdict: string | null; count: unknown }[] =
      await this.knex<CheckRow>(`${CHECKS} as c`)
        .join(latest, join =>
          join
            .on('c.monitor_id', '=', 'latest.monitor_id')
            .andOn('c.finished_at', '=', 'latest.finished_at'),
        )
        .join(`${MONITORS} as m`, 'm.id', 'c.monitor_id')
        .select('c.status', 'c.verdict')
        .count({ count: '*' })
        .groupBy('c.status', 'c.verdict');
    const [{ total }] = await this.knex(MONITORS).count({ total: '*' });
    return {
      monitors: Number(total),
      lastChecks: rows.map(row => ({
        status: row.status as DriftCheck['status'],
        verdict: (row.verdict ?? undefined) as DriftCheck['verdict'],
        monitors: Number(row.count),
      })),
    };
  }

  async runningChecks(): Promise<DriftCheck[]> {
    const rows = await this.knex<CheckRow>(CHECKS).where('status', 'RUNNING');
    return rows.map(row => toCheck(row, false));
  }

  private async withLastChecks(rows: MonitorRow[]): Promise<DriftMonitor[]> {
    if (rows.length === 0) return [];
    const latest = this.knex<CheckRow>(CHECKS)
      .select('monitor_id')
      .max({ started_at: 'started_at' })
      .whereIn(
        'monitor_id',
        rows.map(row => row.id),
      )
      .groupBy('monitor_id')
      .as('latest');
    const checks: CheckRow[] = await this.knex<CheckRow>(`${CHECKS} as c`)
      .join(latest, join =>
        join
          .on('c.monitor_id', '=', 'latest.monitor_id')
          .andOn('c.started_at', '=', 'latest.started_at'),
      )
      .select('c.*');
    const byMonitor = new Map(
      checks.map(check => [check.monitor_id, toCheck(check, false)]),
    );
    const labels = await this.labelCounts(rows.map(row => row.id));
    return rows.map(row =>
      toMonitor(row, byMonitor.get(row.id), labels.get(row.id)),
    );
  }
}
