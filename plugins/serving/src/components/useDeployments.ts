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

/**
 * The deployments with their versions and weights: the list holds only the champion, so each
 * deployment's details are read too; one that cannot be read shows its champion only.
 */
export function useDeploymentsWithVersions() {
  const api = useApi(servingApiRef);
  return useAsyncRetry(async (): Promise<DeploymentRow[]> => {
    const { items } = await api.listDeployments();
    return Promise.all(
      items.map(d =>
        api.getDeployment(d.id).then(
          details => ({ ...d, versions: details.versions }),
          () => d,
        ),
      ),
    );
  }, [api]);
}
