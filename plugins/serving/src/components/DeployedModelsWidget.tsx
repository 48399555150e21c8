import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { DeploymentsTable } from './DeploymentsTable';
import { useDeployments } from './useDeployments';

export function DeployedModelsWidget() {
  const { value, loading, error } = useDeployments(5);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return <DeploymentsTable deployments={value ?? []} compact />;
}
