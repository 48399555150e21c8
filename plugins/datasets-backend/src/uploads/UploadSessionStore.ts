import { Knex } from 'knex';
import { UploadedPart } from '../objectStore';

const SESSIONS = 'dataset_upload_sessions';
const PARTS = 'dataset_upload_parts';

export type UploadSessionState = 'open' | 'completing';

/** A stored upload session, as the service works with it. */
export type UploadSessionRecord = {
  id: string;
  datasetId: string;
  path: string;
  size: number;
  contentType?: string;
  partSize: number;
  tempKey: string;
  storeUploadId: string;
  state: UploadSessionState;
  createdBy: string;
  createdAt: string;
  lastActivityMs: number;
};

export type StoredPart = UploadedPart & { size: number };

type SessionRow = {
  id: string;
  dataset_id: string;
  path: string;
  size: number | string;
  content_type: string | null;
  part_size: number;
  temp_key: string;
  store_upload_id: string;
  state: UploadSessionState;
  created_by: string;
  created_at: string | Date;
  last_activity_ms: number | string;
};

type PartRow = {
  session_id: string;
  part_number: number;
  size: number | string;
  etag: string;
};

function toRecord(row: SessionRow): UploadSessionRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    path: row.path,
    size: Number(row.size),
    ...(row.content_type !== null && { contentType: row.content_type }),
    partSize: row.part_size,
    tempKey: row.temp_key,
    storeUploadId: row.store_upload_id,
    state: row.state,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    lastActivityMs: Number(row.last_activity_ms),
  };
}

/** The sessions under way (open or completing) on the datasets of one owner. */
export type SessionUsage = { sessions: number; reservedBytes: number };

/** The `dataset_upload_sessions` and `dataset_upload_parts` tables. */
export class UploadSessionStore {
  constructor(private readonly knex: Knex) {}

  /** The sessions under way on the datasets owned by `owner`. */
  async usageOf(owner: string, db: Knex = this.knex): Promise<SessionUsage> {
    const row = await db(SESSIONS)
      .join('datasets', 'datasets.id', `${SESSIONS}.dataset_id`)
      .where('datasets.owner', owner)
      .count({ sessions: '*' })
      .sum({ reservedBytes: `${SESSIONS}.size` })
      .first();
    return {
      sessions: Number(row?.sessions ?? 0),
      reservedBytes: Number(row?.reservedBytes ?? 0),
    };
  }

  /**
   * Inserts the session; with `admission`, only after `admit` accepted the sessions already
   * under way on the datasets of `owner` (it throws to refuse). Concurrent inserts for one owner
   * are serialized, so the limits `admit` applies hold.
   */
  async insert(
    session: UploadSessionRecord,
    admission?: { owner: string; admit(usage: SessionUsage): void },
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      if (admission) {
        const { owner } = admission;
        if (tx.client.config.client === 'pg') {
          // Locks the owner's dataset rows; SQLite serializes write transactions anyway.
          await tx('datasets').where({ owner }).select('id').forUpdate();
        }
        admission.admit(await this.usageOf(owner, tx));
      }
      await this.insertRow(tx, session);
    });
  }

  private async insertRow(tx: Knex, session: UploadSessionRecord) {
    await tx<SessionRow>(SESSIONS).insert({
      id: session.id,
      dataset_id: session.datasetId,
      path: session.path,
      size: session.size,
      content_type: session.contentType ?? null,
      part_size: session.partSize,
      temp_key: session.tempKey,
      store_upload_id: session.storeUploadId,
      state: session.state,
      created_by: session.createdBy,
      created_at: session.createdAt,
      last_activity_ms: session.lastActivityMs,
    });
  }

  async get(id: string): Promise<UploadSessionRecord | undefined> {
    const row = await this.knex<SessionRow>(SESSIONS).where({ id }).first();
    return row && toRecord(row);
  }

  async parts(sessionId: string): Promise<StoredPart[]> {
    const rows = await this.knex<PartRow>(PARTS)
      .where({ session_id: sessionId })
      .orderBy('part_number');
    return rows.map(row => ({
      partNumber: row.part_number,
      size: Number(row.size),
      etag: row.etag,
    }));
  }

  /**
   * Records a stored part (replacing one of the same number) and the session's activity; false
   * when the session is no longer open (completed or aborted meanwhile).
   */
  async savePart(sessionId: string, part: StoredPart): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const touched = await tx<SessionRow>(SESSIONS)
        .where({ id: sessionId, state: 'open' })
        .update({ last_activity_ms: Date.now() });
      if (touched === 0) return false;
      await tx<PartRow>(PARTS)
        .insert({
          session_id: sessionId,
          part_number: part.partNumber,
          size: part.size,
          etag: part.etag,
        })
        .onConflict(['session_id', 'part_number'])
        .merge(['size', 'etag']);
      return true;
    });
  }

  /** Moves the session from `from` to `to`; false when it was not in state `from`. */
  async transition(
    id: string,
    from: UploadSessionState,
    to: UploadSessionState,
  ): Promise<boolean> {
    const updated = await this.knex<SessionRow>(SESSIONS)
      .where({ id, state: from })
      .update({ state: to, last_activity_ms: Date.now() });
    return updated > 0;
  }

  async delete(id: string): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(PARTS).where({ session_id: id }).delete();
      await tx(SESSIONS).where({ id }).delete();
    });
  }

  /** Sessions with no activity since `cutoffMs`. */
  async idleSince(cutoffMs: number): Promise<UploadSessionRecord[]> {
    const rows = await this.knex<SessionRow>(SESSIONS).where(
      'last_activity_ms',
      '<',
      cutoffMs,
    );
    return rows.map(toRecord);
  }
}
