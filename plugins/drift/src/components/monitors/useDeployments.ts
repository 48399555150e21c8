import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { driftServingApiRef } from '../../api';

/** How many deployments the "New monitor" dialog offers (the serving list's page size). */
const MAX_DEPLOYMENTS = 100;

/** The team's deployments, which a monitor can watch. */
export function useDeployments() {
  const api = useApi(driftServingApiRef);
  return useAsync(
    async () => (await api.listDeployments(MAX_DEPLOYMENTS)).items,
    [api],
  );
}
