import { DatasetFile } from '@internal/backstage-plugin-datasets-common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** Files sorted by path, the order in which a manifest is hashed and stored. */
export function sortedFiles(files: DatasetFile[]): DatasetFile[] {
  // Paths are unique within a manifest; code-unit order does not depend on the locale.
  return [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The version id of a manifest: SHA-256 over its files' paths, keys, sizes and hashes. */
export function versionIdOf(files: DatasetFile[]): string {
  const canonical = JSON.stringify(
    sortedFiles(files).map(f => [f.path, f.key, f.size, f.sha256]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** Size and SHA-256 of a stream's content. */
export async function hashStream(
  stream: Readable,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** The key prefix of everything a dataset keeps in the portal's store. */
export function datasetArea(datasetId: string): string {
  return `datasets/${datasetId}/`;
}

/** Object key of uploaded content: addressed by its hash, so it never changes once written. */
export function contentKey(datasetId: string, sha256: string): string {
  return `${datasetArea(datasetId)}objects/${sha256}`;
}
