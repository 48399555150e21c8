import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  bestTrialValue,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { isTerminal } from '../../hooks/useJobs';
import { BestSoFarChart } from './BestSoFarChart';
import { formatMetric } from './format';
import { ParallelCoordinatesPlot } from './ParallelCoordinatesPlot';
import { bestSoFar } from './trialMath';
import { TrialsTable } from './TrialsTable';
import { useJobTrials } from './useJobTrials';

/** An auto-tune job's trials, live while it runs: table, parallel coordinates, best so far. */
export function TuneTrialsCard(props: { job: TrainingJob }) {
  const { job } = props;
  const autoTune = job.config.autoTune!;
  const trials = useJobTrials(job.id, !isTerminal(job), job.state);
  const { trials: budgetTrials, timeLimitMinutes } = autoTune.budget;
  const subheader = `${autoTune.algorithm}${
    autoTune.asha ? ' with ASHA' : ''
  }; up to ${budgetTrials} trials, ${
    autoTune.budget.concurrency
  } at once, ${timeLimitMinutes} minutes; ${autoTune.mode} ${autoTune.metric}`;

  let content;
  if (trials.error) {
    content = <ResponseErrorPanel error={trials.error} />;
  } else if (!trials.value) {
    content = <Progress />;
  } else if (trials.value.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No trials yet"
        description={
          isTerminal(job)
            ? 'This tune ran no trial.'
            : 'Trials appear as Ray Tune starts them.'
        }
      />
    );
  } else {
    const best = trials.value.find(t => t.best);
    content = (
      <Grid container spacing={2}>
        <Grid item xs={12}>
          <Typography variant="h6">
            {trials.value.length} of {budgetTrials} trials
            {best &&
              `; best: ${best.trialId} at ${formatMetric(
                autoTune.metric,
                bestTrialValue(best, autoTune),
              )}`}
          </Typography>
        </Grid>
        <Grid item xs={12} md={7}>
          <ParallelCoordinatesPlot trials={trials.value} autoTune={autoTune} />
        </Grid>
        <Grid item xs={12} md={5}>
          <BestSoFarChart
            points={bestSoFar(trials.value, autoTune)}
            autoTune={autoTune}
          />
        </Grid>
        <Grid item xs={12}>
          <TrialsTable job={job} trials={trials.value} />
        </Grid>
      </Grid>
    );
  }
  return (
    <InfoCard title="Auto-tune trials" subheader={subheader}>
      {content}
    </InfoCard>
  );
}
