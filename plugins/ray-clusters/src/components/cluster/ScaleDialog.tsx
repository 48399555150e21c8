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
import { SizeField } from '../SizeField';
import { rayClustersApiRef } from '../../api';

export function ScaleDialog(props: {
  cluster: RayCluster;
  onClose: () => void;
  onScaled: () => void;
}) {
  const api = useApi(rayClustersApiRef);
  const [cpus, setCpus] = useState(String(props.cluster.spec?.cpus ?? 1));
  const [gpus, setGpus] = useState(String(props.cluster.spec?.gpus ?? 0));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function scale() {
    setBusy(true);
    setError(undefined);
    try {
      await api.scaleCluster(props.cluster.name, {
        cpus: Number(cpus),
        gpus: Number(gpus),
      });
      props.onScaled();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>Scale {props.cluster.title}</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        {props.cluster.driver === 'local' && (
          <DialogContentText>
            A local cluster restarts with its new size; it must have no running
            job.
          </DialogContentText>
        )}
        <SizeField
          id="scale-cluster-cpus"
          label="CPUs"
          value={cpus}
          onChange={setCpus}
        />
        <SizeField
          id="scale-cluster-gpus"
          label="GPUs"
          value={gpus}
          onChange={setGpus}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={scale}
          disabled={busy}
        >
          Scale
        </Button>
      </DialogActions>
    </Dialog>
  );
}
