import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { blue, orange } from '@material-ui/core/colors';
import { useJobMetrics } from '../../hooks/useJobMetrics';
import { isTerminal } from '../../hooks/useJobs';
import { lastValue, metricRows } from '../../metricRows';
import { ChartLine, MetricsChart } from './MetricsChart';

const LOSS_LINES: ChartLine[] = [
  { key: 'train_loss', name: 'train loss', color: blue[600] },
  { key: 'test_loss', name: 'test loss', color: orange[700] },
];

const ACCURACY_LINES: ChartLine[] = [
  { key: 'train_accuracy', name: 'train accuracy', color: blue[600] },
  { key: 'test_accuracy', name: 'test accuracy', color: orange[700] },
];

/** Live loss and accuracy curves, refreshed every few seconds until the job ends. */
export function JobMetricsCard(props: { job: TrainingJob }) {
  const { job } = props;
  const metrics = useJobMetrics(job.id, !isTerminal(job), job.state);
  const rows = metrics.value ? metricRows(metrics.value) : [];
  let content;
  if (metrics.error) {
    content = <ResponseErrorPanel error={metrics.error} />;
  } else if (!metrics.value) {
    content = <Progress />;
  } else if (rows.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No metrics yet"
        description={
          isTerminal(job)
            ? 'This run reported no metrics.'
            : 'Curves appear after the first epoch.'
        }
      />
    );
  } else {
    const finalAccuracy = lastValue(metrics.value, 'final_test_accuracy');
    content = (
      <Grid container spacing={2}>
        {finalAccuracy !== undefined && (
          <Grid item xs={12}>
            <Typography variant="h6">
              Test accuracy of the final model:{' '}
              {(100 * finalAccuracy).toFixed(2)}%
            </Typography>
          </Grid>
        )}
        <Grid item xs={12} md={6}>
          <MetricsChart title="Loss" rows={rows} lines={LOSS_LINES} />
        </Grid>
        <Grid item xs={12} md={6}>
          <MetricsChart title="Accuracy" rows={rows} lines={ACCURACY_LINES} />
        </Grid>
      </Grid>
    );
  }
  return <InfoCard title="Training curves">{content}</InfoCard>;
}
