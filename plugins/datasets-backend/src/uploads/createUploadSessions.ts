import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { ObjectStore } from '../objectStore';
import { DatasetFiles } from '../versions/DatasetFiles';
import {
  DEFAULT_MAX_OPEN_SESSIONS_PER_TEAM,
  DEFAULT_MAX_RESERVED_BYTES_PER_TEAM,
  DEFAULT_STALE_AFTER_MS,
  UploadSessions,
} from './UploadSessions';
import { UploadSessionStore } from './UploadSessionStore';

/**
 * Upload sessions as configured under mlops.datasets.uploadSessions, with a scheduled task that
 * removes the stale ones.
 */
export async function createUploadSessions(options: {
  config: Config;
  knex: Knex;
  objectStore: ObjectStore;
  files: DatasetFiles;
  maxUploadBytes: number;
  scheduler: SchedulerService;
  logger: LoggerService;
}): Promise<UploadSessions> {
  const config = options.config.getOptionalConfig(
    'mlops.datasets.uploadSessions',
  );
  const staleAfterHours = config?.getOptionalNumber('staleAfterHours');
  const sessions = new UploadSessions({
    sessions: new UploadSessionStore(options.knex),
    objectStore: options.objectStore,
    files: options.files,
    maxUploadBytes: options.maxUploadBytes,
    partSize: config?.getOptionalNumber('partSizeBytes'),
    staleAfterMs:
      staleAfterHours === undefined
        ? DEFAULT_STALE_AFTER_MS
        : staleAfterHours * 60 * 60 * 1000,
    limits: {
      maxOpenPerTeam:
        config?.getOptionalNumber('maxOpenPerTeam') ??
        DEFAULT_MAX_OPEN_SESSIONS_PER_TEAM,
      // One upload of the largest accepted size always fits by default.
      maxReservedBytesPerTeam:
        config?.getOptionalNumber('maxReservedBytesPerTeam') ??
        Math.max(DEFAULT_MAX_RESERVED_BYTES_PER_TEAM, options.maxUploadBytes),
    },
    logger: options.logger,
  });
  await options.scheduler.scheduleTask({
    id: 'datasets-upload-sessions-cleanup',
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const removed = await sessions.removeStale();
      if (removed > 0) {
        options.logger.info(`Removed ${removed} stale upload session(s)`);
      }
    },
  });
  return sessions;
}
