import { useApi } from '@backstage/frontend-plugin-api';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import { apiErrorMessage } from '@internal/mlops-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { driftApiRef } from '../../api';

/** Deletes the monitor and its checks after the user confirms. */
export function DeleteMonitorButton(props: {
  monitor: DriftMonitor;
  onDeleted: () => void;
}) {
  const api = useApi(driftApiRef);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await api.deleteMonitor(props.monitor.id);
      setConfirming(false);
      props.onDeleted();
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
        onClick={() => setConfirming(true)}
      >
        Delete monitor
      </Button>
      <Dialog open={confirming} onClose={() => setConfirming(false)}>
        <DialogTitle>Delete the monitor?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {`"${props.monitor.name}" stops checking deployment "${props.monitor.deploymentName}", and its checks and reports are deleted. The deployment is not touched.`}
          </DialogContentText>
          {error && <Alert severity="error">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
          <Button color="secondary" disabled={busy} onClick={remove}>
            Yes, delete
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
