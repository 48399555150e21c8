import { useApi } from '@backstage/frontend-plugin-api';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import useAsync from 'react-use/esm/useAsync';
import { driftApiRef } from '../../api';

/**
 * A check with its report (the list of checks carries none); nothing without a check. `known` is
 * a check already read with its report (one followed until it finished): not read again.
 */
export function useCheckReport(
  monitorId: string,
  checkId?: string,
  known?: DriftCheck,
) {
  const api = useApi(driftApiRef);
  const reuse = known?.id === checkId && !!known?.report;
  return useAsync(async () => {
    if (checkId === undefined) return undefined;
    return reuse && known ? known : api.getCheck(monitorId, checkId);
  }, [api, monitorId, checkId, reuse]);
}
