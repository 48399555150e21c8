import {
  Content,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { rootRouteRef } from '../../routes';
import { TryItCard } from '../tryIt/TryItCard';
import { ApiKeysCard } from './ApiKeysCard';
import { DeploymentSummaryCard } from './DeploymentSummaryCard';
import { HistoryCard } from './HistoryCard';
import { MetricsCard } from './MetricsCard';
import { TrafficCard } from './TrafficCard';
import { UndeployButton } from './UndeployButton';
import { useDeployment } from './useDeployment';

/** One deployment: state, traffic, live charts, keys, Try it and history. */
export function DeploymentPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const listPath = useRouteRef(rootRouteRef);
  const { deployment, loading, error, replace } = useDeployment(id);
  // Bumped by every change, so that the history is read again.
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges(n => n + 1);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!deployment) return null;
  return (
    <Content>
      <Box display="flex" alignItems="center" mb={2}>
        <Typography variant="h4" component="h1" style={{ flexGrow: 1 }}>
          {deployment.name}
        </Typography>
        <UndeployButton
          deployment={deployment}
          onUndeployed={() => navigate(listPath?.() ?? '/serving')}
        />
      </Box>
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <DeploymentSummaryCard deployment={deployment} />
        </Grid>
        <Grid item xs={12} md={7}>
          <TrafficCard
            key={`${deployment.modelVersion}-${deployment.versions.length}`}
            deployment={deployment}
            onChanged={d => {
              replace(d);
              changed();
            }}
          />
        </Grid>
        <Grid item xs={12}>
          <MetricsCard deploymentId={deployment.id} />
        </Grid>
        <Grid item xs={12}>
          <TryItCard deployment={deployment} />
        </Grid>
        <Grid item xs={12}>
          <ApiKeysCard deploymentId={deployment.id} onChanged={changed} />
        </Grid>
        <Grid item xs={12}>
          <HistoryCard deploymentId={deployment.id} version={changes} />
        </Grid>
      </Grid>
    </Content>
  );
}
