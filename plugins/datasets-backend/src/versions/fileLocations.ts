import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';
import { join } from 'node:path';
import { LocalDirectoryObjectStore, ObjectStore } from '../objectStore';

/** Lifetime of the presigned URLs handed to a training job: long enough for a queued job. */
export const FILE_URL_SECONDS = 6 * 60 * 60;

/**
 * One file of a version with where a training job reads it: a path on this machine (local object
 * store; Ray runs beside the portal) or a presigned GET URL (S3).
 */
export type LocatedDatasetFile = {
  path: string;
  size: number;
  sha256: string;
  localPath?: string;
  url?: string;
};

/** The answer of `GET /datasets/:id/versions/:version/files`. */
export type VersionFileLocations = {
  datasetId: string;
  version: string;
  files: LocatedDatasetFile[];
  /** When the presigned URLs stop working, if there are any. */
  urlsExpireAt?: string;
};

/** Where each file of `version` can be read from by a training job. */
export async function locateVersionFiles(
  objectStore: ObjectStore,
  version: DatasetVersion,
  now: Date = new Date(),
): Promise<VersionFileLocations> {
  const local =
    objectStore instanceof LocalDirectoryObjectStore ? objectStore : undefined;
  const files: LocatedDatasetFile[] = [];
  for (const { path, key, size, sha256 } of version.files) {
    if (local) {
      files.push({
        path,
        size,
        sha256,
        localPath: join(local.location, ...key.split('/')),
      });
      continue;
    }
    const url = await objectStore.downloadUrl(key, FILE_URL_SECONDS);
    if (!url) {
      throw new Error(
        `The object store ${objectStore.location} gives no download URL for '${path}'`,
      );
    }
    files.push({ path, size, sha256, url });
  }
  return {
    datasetId: version.datasetId,
    version: version.version,
    files,
    ...(local
      ? {}
      : {
          urlsExpireAt: new Date(
            now.getTime() + FILE_URL_SECONDS * 1000,
          ).toISOString(),
        }),
  };
}
