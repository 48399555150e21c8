import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { experimentsApiRef } from '../api';

export function useJobs(limit?: number) {
  const api = useApi(experimentsApiRef);
  return useAsync(async () => (await api.listJobs(limit)).items, [api, limit]);
}
