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
import { rayClustersApiRef } from '../api';
import { ClustersTable } from './ClustersTable';
import { useClusters } from './useClusters';

export function ClustersPage() {
  const api = useApi(rayClustersApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const { value, loading, error } = useClusters();
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            Clusters
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && <ClustersTable clusters={value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="Ray connectivity" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
