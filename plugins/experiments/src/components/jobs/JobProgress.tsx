import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useJobMetrics } from '../../hooks/useJobMetrics';
import { completedEpochs } from '../../metricRows';

/** The number of epochs the job was configured with, when its template has an `epochs` knob. */
export function plannedEpochs(job: TrainingJob): number | undefined {
  const epochs = job.config?.hyperparameters?.epochs;
  return typeof epochs === 'number' ? epochs : undefined;
}

function RunningProgress(props: { job: TrainingJob }) {
  const metrics = useJobMetrics(props.job.id, true);
  const total = plannedEpochs(props.job);
  if (metrics.error) {
    return (
      <Typography variant="caption" color="error">
        progress unavailable
      </Typography>
    );
  }
  if (!metrics.value) return <LinearProgress />;
  const done = completedEpochs(metrics.value);
  return (
    <div>
      <Typography variant="caption">
        {total ? `epoch ${done} of ${total}` : `epoch ${done}`}
      </Typography>
      <LinearProgress
        variant={total ? 'determinate' : 'indeterminate'}
        value={total ? Math.min(100, (100 * done) / total) : undefined}
      />
    </div>
  );
}

/** "epoch x of y" with a bar while the job runs; nothing otherwise. */
export function JobProgress(props: { job: TrainingJob }) {
  if (props.job.state !== 'RUNNING') return null;
  return <RunningProgress job={props.job} />;
}
