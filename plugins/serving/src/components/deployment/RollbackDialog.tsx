import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';
import { rollbackTargets } from './traffic';

/** Asks which earlier version and why, then sends all traffic back to it. */
export function RollbackDialog(props: {
  deployment: ModelDeploymentDetails;
  onClose: () => void;
  onRolledBack: (deployment: ModelDeploymentDetails) => void;
}) {
  const { deployment } = props;
  const api = useApi(servingApiRef);
  const targets = rollbackTargets(deployment);
  const [version, setVersion] = useState(targets[0] ?? '');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function rollback() {
    setBusy(true);
    setError(undefined);
    try {
      props.onRolledBack(
        await api.rollback(deployment.id, version, reason.trim() || undefined),
      );
    } catch (e) {
      setError(apiErrorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>Roll back?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {`All traffic of "${deployment.name}" goes to the version you pick; version ${deployment.modelVersion} stops being the champion.`}
        </DialogContentText>
        <TextField
          id="rollback-version"
          select
          label="Version"
          value={version}
          onChange={e => setVersion(e.target.value)}
          fullWidth
          margin="dense"
        >
          {targets.map(v => (
            <MenuItem key={v} value={v}>{`v${v}`}</MenuItem>
          ))}
        </TextField>
        <TextField
          id="rollback-reason"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          helperText="Kept in the history"
          fullWidth
          margin="dense"
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={busy || !version}
          onClick={rollback}
        >
          {`Roll back to v${version}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
