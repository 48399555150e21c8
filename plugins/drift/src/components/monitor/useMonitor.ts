import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { driftApiRef } from '../../api';

/** The monitor; `retry` reads it again (its label count after labels were added, say). */
export function useMonitor(id: string) {
  const api = useApi(driftApiRef);
  return useAsyncRetry(() => api.getMonitor(id), [api, id]);
}
