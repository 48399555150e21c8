import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

/** The job's reason in words, loud when it failed. */
export function JobStateBanner(props: { job: TrainingJob }) {
  const { state, reason, registeredModel } = props.job;
  if (state === 'FAILED') {
    return (
      <Alert severity="error">
        <AlertTitle>Training failed</AlertTitle>
        {reason ?? 'No reason was recorded.'}
      </Alert>
    );
  }
  if (state === 'SUCCEEDED') {
    return (
      <Alert severity="success">
        {registeredModel
          ? `Registered as model ${registeredModel.name} version ${registeredModel.version}.`
          : 'Training finished.'}
        {reason && ` ${reason}`}
      </Alert>
    );
  }
  if (!reason) return null;
  return (
    <Alert severity={state === 'CANCELLED' ? 'warning' : 'info'}>
      {reason}
    </Alert>
  );
}
