import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { driftApiRef } from '../api';
import { MonitorsTable } from './MonitorsTable';

export function DriftPage() {
  const api = useApi(driftApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const monitors = useAsync(
    async () => (await api.listMonitors()).items,
    [api],
  );
  return (
    <AreaPage
      title="Drift monitors"
      items={monitors}
      renderItems={items => <MonitorsTable monitors={items} />}
      statusTitle="Drift status"
      loadStatus={loadStatus}
    />
  );
}
