import { useApi } from '@backstage/frontend-plugin-api';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { experimentsApiRef } from '../../api';
import { isTerminal } from '../../hooks/useJobs';

/** Cancels the job after the user confirms; disabled once the job is over or being cancelled. */
export function CancelJobButton(props: {
  job: TrainingJob;
  onCancelled: (job: TrainingJob) => void;
}) {
  const api = useApi(experimentsApiRef);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<Error>();
  const disabled =
    isTerminal(props.job) || props.job.state === 'CANCELLING' || cancelling;

  async function cancel() {
    setCancelling(true);
    setError(undefined);
    try {
      const job = await api.cancelJob(props.job.id);
      setConfirming(false);
      props.onCancelled(job);
    } catch (e) {
      setError(e as Error);
    } finally {
      setCancelling(false);
    }
  }

  return (
    <>
      <Button
        variant="outlined"
        color="secondary"
        disabled={disabled}
        onClick={() => setConfirming(true)}
      >
        Cancel run
      </Button>
      <Dialog open={confirming} onClose={() => setConfirming(false)}>
        <DialogTitle>Cancel training run?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {`"${props.job.name}" stops on the Ray cluster; what it trained so far is not registered as a model.`}
          </DialogContentText>
          {error && (
            <Alert severity="error">Could not cancel: {error.message}</Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Keep running</Button>
          <Button color="secondary" disabled={cancelling} onClick={cancel}>
            Yes, cancel it
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
