import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import { useClusters } from './useClusters';
import { rayClustersApiRef } from '../api';
import { ClustersTable } from './ClustersTable';

export function ClustersPage() {
  const api = useApi(rayClustersApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const clusters = useClusters();
  return (
    <AreaPage
      title="Clusters"
      items={clusters}
      renderItems={items => <ClustersTable clusters={items} />}
      statusTitle="Ray connectivity"
      loadStatus={loadStatus}
    />
  );
}
