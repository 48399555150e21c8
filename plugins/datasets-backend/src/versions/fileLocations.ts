import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';
import { LocalDirectoryObjectStore, ObjectStore } from '../objectStore';

/** Lifetime of the download URLs handed to a training job: long enough for a queued job. */
export const FILE_URL_SECONDS = 6 * 60 * 60;

/**
 * One file of a version with the URL a training job downloads it from: presigned (S3) or signed
 * by this backend (local object store). Never a path: Ray runs as accounts that cannot read the
 * portal's folders (docs/security-model-ray.md).
 */
export type LocatedDatasetFile = {
  path: string;
  size: number;
  sha256: string;
  url: string;
};

/** The answer of `GET /datasets/:id/versions/:version/files`. */
export type VersionFileLocations = {
  datasetId: string;
  version: string;
  files: LocatedDatasetFile[];
  /** When the URLs stop working. */
  urlsExpireAt: string;
};

/** Where each file of `version` can be downloaded by a training job. */
export async function locateVersionFiles(
  objectStore: ObjectStore,
  version: DatasetVersion,
  now: Date = new Date(),
): Promise<VersionFileLocations> {
  const files: LocatedDatasetFile[] = [];
  for (const { path, key, size, sha256 } of version.files) {
    const url =
      objectStore instanceof LocalDirectoryObjectStore
        ? await objectStore.signedUrl(key, FILE_URL_SECONDS)
        : await objectStore.downloadUrl(key, FILE_URL_SECONDS);
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
    urlsExpireAt: new Date(
      now.getTime() + FILE_URL_SECONDS * 1000,
    ).toISOString(),
  };
}
