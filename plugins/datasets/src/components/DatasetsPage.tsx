import {
  Content,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { PluginStatusCard } from '@internal/mlops-react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { datasetsApiRef } from '../api';
import { DatasetsTable } from './DatasetsTable';

export function DatasetsPage() {
  const api = useApi(datasetsApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const { value, loading, error } = useAsync(
    async () => (await api.listDatasets()).items,
    [api],
  );
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            Datasets
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && <DatasetsTable datasets={value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="Datasets status" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
