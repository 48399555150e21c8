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
import { servingApiRef } from '../api';
import { DeploymentsTable } from './DeploymentsTable';
import { useDeployments } from './useDeployments';

export function ServingPage() {
  const api = useApi(servingApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const { value, loading, error } = useDeployments();
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            Deployments
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && <DeploymentsTable deployments={value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="Ray Serve and database" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
