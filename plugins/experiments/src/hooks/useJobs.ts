import { useApi } from '@backstage/frontend-plugin-api';
import {
  TERMINAL_JOB_STATES,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import { experimentsApiRef } from '../api';
import { usePolledAsync } from './usePolledAsync';

export const JOB_LIST_POLL_MS = 5000;

export function isTerminal(job: TrainingJob): boolean {
  return TERMINAL_JOB_STATES.includes(job.state);
}

/** The caller's latest jobs, refreshed while any of them is still going. */
export function useJobs(limit?: number) {
  const api = useApi(experimentsApiRef);
  return usePolledAsync(
    async () => (await api.listJobs(limit)).items,
    [api, limit],
    {
      intervalMs: JOB_LIST_POLL_MS,
      active: jobs => !!jobs?.some(job => !isTerminal(job)),
    },
  );
}
