import { useApi } from '@backstage/frontend-plugin-api';
import { experimentsApiRef } from '../../api';
import { usePolledAsync } from '../../hooks/usePolledAsync';

export const TRIALS_POLL_MS = 5000;

/**
 * An auto-tune job's trials, refreshed while `live`; `refreshKey` (the job's state) loads them once
 * more when the job ends, so the final states and the best trial show.
 */
export function useJobTrials(jobId: string, live: boolean, refreshKey = '') {
  const api = useApi(experimentsApiRef);
  return usePolledAsync(
    async () => (await api.getJobTrials(jobId)).items,
    [api, jobId, refreshKey],
    { intervalMs: TRIALS_POLL_MS, active: () => live },
  );
}
