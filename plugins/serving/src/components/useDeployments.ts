import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { servingApiRef } from '../api';

export function useDeployments(limit?: number) {
  const api = useApi(servingApiRef);
  return useAsync(
    async () => (await api.listDeployments(limit)).items,
    [api, limit],
  );
}
