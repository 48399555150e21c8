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
import { driftApiRef } from '../api';
import { MonitorsTable } from './MonitorsTable';

export function DriftPage() {
  const api = useApi(driftApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const { value, loading, error } = useAsync(
    async () => (await api.listMonitors()).items,
    [api],
  );
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            Drift monitors
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && <MonitorsTable monitors={value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="Drift status" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
