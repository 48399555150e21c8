import {
  InfoCard,
  LogViewer,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Typography from '@material-ui/core/Typography';
import { useFollowedJobLog } from '../../hooks/useFollowedJobLog';
import { isTerminal } from '../../hooks/useJobs';

/** The job's Ray log, followed while the job runs. */
export function JobLogCard(props: { job: TrainingJob }) {
  const { job } = props;
  const log = useFollowedJobLog(job.id, !isTerminal(job));
  return (
    <InfoCard title="Log">
      {log.error && <ResponseErrorPanel error={log.error} />}
      {!log.loaded && !log.error && <Progress />}
      {log.loaded && !log.text && (
        <Typography color="textSecondary">
          {job.state === 'QUEUED'
            ? 'The log starts when a worker submits the run to Ray.'
            : 'No log output yet.'}
        </Typography>
      )}
      {log.text && (
        <div style={{ height: 400 }} data-testid="job-log">
          <LogViewer text={log.text} />
        </div>
      )}
    </InfoCard>
  );
}
