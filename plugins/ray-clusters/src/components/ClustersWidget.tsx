import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { ClustersTable } from './ClustersTable';
import { useClusters } from './useClusters';

export function ClustersWidget() {
  const { value, loading, error } = useClusters();
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return <ClustersTable clusters={value ?? []} compact />;
}
