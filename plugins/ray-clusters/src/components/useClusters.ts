import { useApi } from '@backstage/frontend-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rayClustersApiRef } from '../api';

export function useClusters() {
  const api = useApi(rayClustersApiRef);
  return useAsyncRetry(async () => (await api.listClusters()).items, [api]);
}
