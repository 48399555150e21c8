import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';

/** Removes the deployment from Ray Serve after the user confirms. */
export function UndeployButton(props: {
  deployment: ModelDeploymentDetails;
  onUndeployed: () => void;
}) {
  const api = useApi(servingApiRef);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function undeploy() {
    setBusy(true);
    setError(undefined);
    try {
      await api.deleteDeployment(
        props.deployment.id,
        reason.trim() || undefined,
      );
      setConfirming(false);
      props.onUndeployed();
    } catch (e) {
      setError(apiErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button
        variant="outlined"
        color="secondary"
        disabled={props.deployment.state === 'DELETING'}
        onClick={() => setConfirming(true)}
      >
        Undeploy
      </Button>
      <Dialog open={confirming} onClose={() => setConfirming(false)}>
        <DialogTitle>Undeploy?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {`"${props.deployment.name}" is removed from Ray Serve: its endpoint stops answering and its keys stop working. The history is kept.`}
          </DialogContentText>
          <TextField
            id="undeploy-reason"
            label="Reason"
            value={reason}
            onChange={e => setReason(e.target.value)}
            fullWidth
            margin="dense"
          />
          {error && <Alert severity="error">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
          <Button color="secondary" disabled={busy} onClick={undeploy}>
            Yes, undeploy
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
