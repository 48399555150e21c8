import { useApi } from '@backstage/frontend-plugin-api';
import { experimentsApiRef } from '../api';
import { isTerminal } from './useJobs';
import { usePolledAsync } from './usePolledAsync';

export const JOB_POLL_MS = 3000;

/** One job, refreshed every few seconds until it reaches a terminal state. */
export function useJob(jobId: string) {
  const api = useApi(experimentsApiRef);
  return usePolledAsync(() => api.getJob(jobId), [api, jobId], {
    intervalMs: JOB_POLL_MS,
    active: job => !!job && !isTerminal(job),
  });
}
