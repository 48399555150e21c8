import {
  Content,
  ContentHeader,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRefParams } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useJob } from '../../hooks/useJob';
import { jobRouteRef } from '../../routes';
import { CancelJobButton } from './CancelJobButton';
import { JobConfigCard } from './JobConfigCard';
import { JobLinks } from './JobLinks';
import { JobLogCard } from './JobLogCard';
import { JobMetricsCard } from './JobMetricsCard';
import { JobResourcesCard } from './JobResourcesCard';
import { JobStateBanner } from './JobStateBanner';
import { JobSummaryCard } from './JobSummaryCard';
import { JobStateChip } from '../jobs/JobStateChip';
import { TuneTrialsCard } from '../tune/TuneTrialsCard';

/** One training run: state, live curves, its cluster's resources, log, configuration and links. */
export function JobPage() {
  const { jobId } = useRouteRefParams(jobRouteRef);
  const job = useJob(jobId);
  if (job.error) {
    return (
      <Content>
        <ResponseErrorPanel error={job.error} />
      </Content>
    );
  }
  if (!job.value) {
    return (
      <Content>
        <Progress />
      </Content>
    );
  }
  const value = job.value;
  return (
    <Content>
      <ContentHeader
        title={value.name}
        description={`${value.config.autoTune ? 'Auto-tune' : 'Training'} run ${
          value.id
        }`}
      >
        <Box display="flex" alignItems="center" gridGap={8}>
          <JobStateChip state={value.state} />
          <JobLinks job={value} />
          <CancelJobButton job={value} onCancelled={() => job.retry()} />
        </Box>
      </ContentHeader>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <JobStateBanner job={value} />
        </Grid>
        {value.config.autoTune && (
          <Grid item xs={12}>
            <TuneTrialsCard job={value} />
          </Grid>
        )}
        <Grid item xs={12} md={4}>
          <JobSummaryCard job={value} />
        </Grid>
        <Grid item xs={12} md={8}>
          <JobMetricsCard job={value} />
        </Grid>
        <Grid item xs={12} md={4}>
          <JobConfigCard config={value.config} />
        </Grid>
        <Grid item xs={12} md={8}>
          <JobResourcesCard job={value} />
        </Grid>
        <Grid item xs={12}>
          <JobLogCard job={value} />
        </Grid>
      </Grid>
    </Content>
  );
}
