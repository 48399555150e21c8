import { useApi } from '@backstage/frontend-plugin-api';
import {
  CreateRayClusterRequest,
  RayCluster,
} from '@internal/backstage-plugin-ray-clusters-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { SizeField } from './SizeField';
import { rayClustersApiRef } from '../api';

const GIB = 1024 ** 3;

/** Create a local Ray cluster: name, size and idle timeout. */
export function CreateClusterDialog(props: {
  open: boolean;
  onClose: () => void;
  onCreated: (cluster: RayCluster) => void;
}) {
  const api = useApi(rayClustersApiRef);
  const [name, setName] = useState('');
  const [cpus, setCpus] = useState('2');
  const [gpus, setGpus] = useState('0');
  const [memoryGib, setMemoryGib] = useState('');
  const [idleMinutes, setIdleMinutes] = useState('30');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(undefined);
    const request: CreateRayClusterRequest = {
      name: name.trim(),
      driver: 'local',
      cpus: Number(cpus),
      gpus: Number(gpus),
      idleTimeoutSeconds: Math.round(Number(idleMinutes) * 60),
      ...(memoryGib && { memoryBytes: Math.round(Number(memoryGib) * GIB) }),
    };
    try {
      props.onCreated(await api.createCluster(request));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>New Ray cluster on this machine</DialogTitle>
      <DialogContent>
        {error && <Alert severity="error">{error}</Alert>}
        <TextField
          id="create-cluster-name"
          label="Name"
          value={name}
          onChange={e => setName(e.target.value)}
          helperText="Lowercase letters, digits and dashes"
          fullWidth
          margin="dense"
          required
        />
        <SizeField
          id="create-cluster-cpus"
          label="CPUs"
          value={cpus}
          onChange={setCpus}
        />
        <SizeField
          id="create-cluster-gpus"
          label="GPUs"
          value={gpus}
          onChange={setGpus}
        />
        <SizeField
          id="create-cluster-memory-cap-gib"
          label="Memory cap (GiB)"
          value={memoryGib}
          onChange={setMemoryGib}
          helperText="Empty: Ray's default share of the machine"
        />
        <SizeField
          id="create-cluster-stop-when-idle-for-minutes"
          label="Stop when idle for (minutes)"
          value={idleMinutes}
          onChange={setIdleMinutes}
          helperText="0: never stop"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={create}
          disabled={busy || !name.trim()}
        >
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
