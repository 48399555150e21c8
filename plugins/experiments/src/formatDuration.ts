/** "45s", "3m 05s", "2h 04m": how long something took, to the precision a person reads. */
export function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** Run time of a job: start to finish, or start to now while it runs; undefined before it starts. */
export function jobDuration(
  job: { startedAt?: string; finishedAt?: string },
  now: number = Date.now(),
): string | undefined {
  if (!job.startedAt) return undefined;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return formatDuration(end - Date.parse(job.startedAt));
}
