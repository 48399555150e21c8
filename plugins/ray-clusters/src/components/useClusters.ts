import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { rayClustersApiRef } from '../api';

export function useClusters() {
  const api = useApi(rayClustersApiRef);
  return useAsync(async () => (await api.listClusters()).items, [api]);
}
