import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { datasetsApiRef } from '../api';
import { Box } from '@material-ui/core';
import { ConnectionsCard } from './ConnectionsCard';
import { CreateDatasetForm } from './CreateDatasetForm';
import { DatasetsTable } from './DatasetsTable';

export function DatasetsPage() {
  const api = useApi(datasetsApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const datasets = useAsyncRetry(
    async () => (await api.listDatasets()).items,
    [api],
  );
  return (
    <AreaPage
      title="Datasets"
      items={datasets}
      renderItems={items => (
        <>
          <DatasetsTable datasets={items} />
          <CreateDatasetForm onCreated={datasets.retry} />
          <Box mt={3}>
            <ConnectionsCard />
          </Box>
        </>
      )}
      statusTitle="Datasets status"
      loadStatus={loadStatus}
    />
  );
}
