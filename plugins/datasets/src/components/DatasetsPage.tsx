import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { datasetsApiRef } from '../api';
import { DatasetsTable } from './DatasetsTable';

export function DatasetsPage() {
  const api = useApi(datasetsApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const datasets = useAsync(
    async () => (await api.listDatasets()).items,
    [api],
  );
  return (
    <AreaPage
      title="Datasets"
      items={datasets}
      renderItems={items => <DatasetsTable datasets={items} />}
      statusTitle="Datasets status"
      loadStatus={loadStatus}
    />
  );
}
