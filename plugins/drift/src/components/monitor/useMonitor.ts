import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { driftApiRef } from '../../api';

export function useMonitor(id: string) {
  const api = useApi(driftApiRef);
  return useAsync(() => api.getMonitor(id), [api, id]);
}
