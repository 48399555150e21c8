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
import { experimentsApiRef } from '../api';
import { JobsTable } from './JobsTable';
import { useJobs } from './useJobs';

export function ExperimentsPage() {
  const api = useApi(experimentsApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const { value, loading, error } = useJobs();
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            Training runs
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && <JobsTable jobs={value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="MLflow and database" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
