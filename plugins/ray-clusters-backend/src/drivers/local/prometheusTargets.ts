import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One entry of a Prometheus file-based service discovery file. */
export type ScrapeTargetGroup = {
  targets: string[];
  labels: Record<string, string>;
};

/** The service discovery file of one cluster (named by its instance, not by a person). */
export function targetsFilePath(dir: string, instanceId: string): string {
  return join(dir, `mlops-rc-${instanceId}.json`);
}

/**
 * Writes `path` whole, or leaves it as it was: Prometheus re-reads the file whenever it changes
 * and must never see half of it. The temporary name does not end in `.json`, so that a
 * `*.json` discovery pattern does not pick it up. Mode 0644 whatever the umask: Prometheus may
 * run as another user (the folder decides who may reach it).
 */
export async function writeTargetsFile(
  path: string,
  groups: ScrapeTargetGroup[],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const fresh = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(fresh, 'wx', 0o644);
  try {
    try {
      await file.chmod(0o644);
      await file.writeFile(`${JSON.stringify(groups, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(fresh, path);
  } catch (error) {
    await rm(fresh, { force: true });
    throw error;
  }
}

export async function removeTargetsFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
