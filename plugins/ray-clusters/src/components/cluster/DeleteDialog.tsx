import { useApi } from '@backstage/frontend-plugin-api';
import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { rayClustersApiRef } from '../../api';

export function DeleteDialog(props: {
  cluster: RayCluster;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const api = useApi(rayClustersApiRef);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function remove() {
    setBusy(true);
    setError(undefined);
    try {
      await api.deleteCluster(props.cluster.name);
      props.onDeleted();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={props.onClose}>
      <DialogTitle>Delete {props.cluster.title}?</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <DialogContentText>
          {props.cluster.driver === 'external'
            ? 'The portal forgets this cluster; the cluster itself keeps running.'
            : 'The cluster stops and its running jobs end. This cannot be undone.'}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={remove}
          disabled={busy}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
