import { useApi } from '@backstage/frontend-plugin-api';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { driftApiRef } from '../../api';

/** How many checks the history shows (the most the API gives at once). */
export const HISTORY_LENGTH = 100;

/** The monitor's checks, newest first, without reports. */
export function useChecks(monitorId: string) {
  const api = useApi(driftApiRef);
  return useAsyncRetry(
    async () => (await api.listChecks(monitorId, HISTORY_LENGTH)).items,
    [api, monitorId],
  );
}

/** The check whose report is shown unless the user picks another: the newest finished one. */
export function latestFinishedCheck(
  checks: DriftCheck[],
): DriftCheck | undefined {
  return checks.find(check => check.status !== 'RUNNING');
}
