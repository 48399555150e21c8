import {
  Content,
  ContentHeader,
  LinkButton,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { PluginStatusCard } from '@internal/mlops-react';
import Grid from '@material-ui/core/Grid';
import AddIcon from '@material-ui/icons/Add';
import ExtensionIcon from '@material-ui/icons/Extension';
import { useCallback } from 'react';
import { experimentsApiRef } from '../../api';
import { useJobs } from '../../hooks/useJobs';
import { customModelsRouteRef, newTrainingRunRouteRef } from '../../routes';
import { JobsTable } from './JobsTable';

/** The team's training runs, with a way to start a new one, and the area's dependency status. */
export function ExperimentsPage() {
  const api = useApi(experimentsApiRef);
  const newRunPath = useRouteRef(newTrainingRunRouteRef);
  const customModelsPath = useRouteRef(customModelsRouteRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const jobs = useJobs();
  return (
    <Content>
      <Grid container spacing={3}>
        {/* the heading sits beside the table, so the table is found by its heading */}
        <Grid item xs={12}>
          <ContentHeader title="Training runs">
            {customModelsPath && (
              <LinkButton
                to={customModelsPath()}
                color="primary"
                variant="outlined"
                startIcon={<ExtensionIcon />}
                style={{ marginRight: 8 }}
              >
                Custom models
              </LinkButton>
            )}
            {newRunPath && (
              <LinkButton
                to={newRunPath()}
                color="primary"
                variant="contained"
                startIcon={<AddIcon />}
              >
                New training run
              </LinkButton>
            )}
          </ContentHeader>
          {jobs.loading && !jobs.value && <Progress />}
          {jobs.error && <ResponseErrorPanel error={jobs.error} />}
          {jobs.value && <JobsTable jobs={jobs.value} />}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title="MLflow and database" load={loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
