import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import { useDeployments } from './useDeployments';
import { servingApiRef } from '../api';
import { DeploymentsTable } from './DeploymentsTable';

export function ServingPage() {
  const api = useApi(servingApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const deployments = useDeployments();
  return (
    <AreaPage
      title="Deployments"
      items={deployments}
      renderItems={items => <DeploymentsTable deployments={items} />}
      statusTitle="Ray Serve and database"
      loadStatus={loadStatus}
    />
  );
}
