import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { driftApiRef } from '../../api';

/** The team's drift monitors, each with its latest check. */
export function useMonitors() {
  const api = useApi(driftApiRef);
  return useAsyncRetry(async () => (await api.listMonitors()).items, [api]);
}
