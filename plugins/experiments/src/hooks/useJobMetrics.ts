import { useApi } from '@backstage/frontend-plugin-api';
import { experimentsApiRef } from '../api';
import { usePolledAsync } from './usePolledAsync';

export const METRICS_POLL_MS = 5000;

/**
 * A job's metric series, refreshed while `live`. `refreshKey` reloads them once more when the
 * job's state changes, so the final epoch shows after the job ends.
 */
export function useJobMetrics(jobId: string, live: boolean, refreshKey = '') {
  const api = useApi(experimentsApiRef);
  return usePolledAsync(
    async () => (await api.getJobMetrics(jobId)).items,
    [api, jobId, refreshKey],
    { intervalMs: METRICS_POLL_MS, active: () => live },
  );
}
