import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { servingApiRef } from '../api';
import { DeploymentRow } from './DeploymentsTable';

export function useDeployments(limit?: number) {
  const api = useApi(servingApiRef);
  return useAsync(
    async () => (await api.listDeployments(limit)).items,
    [api, limit],
  );
}

/** The deployments with their versions and weights (the list carries them). */
export function useDeploymentsWithVersions() {
  const api = useApi(servingApiRef);
  return useAsyncRetry(
    async (): Promise<DeploymentRow[]> =>
      (await api.listDeployments(100)).items,
    [api],
  );
}
