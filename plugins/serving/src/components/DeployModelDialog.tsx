import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { servingApiRef, servingClustersApiRef } from '../api';
import { apiErrorMessage } from './apiErrorMessage';
import {
  DeployDraft,
  DeployField,
  deployDraftProblems,
  emptyDeployDraft,
  requestFromDeployDraft,
  slugFor,
} from './deployDraft';

const SCALING_FIELDS: {
  key: DeployField;
  label: string;
  scaling: DeployDraft['scaling'];
}[] = [
  { key: 'replicas', label: 'Replicas', scaling: 'fixed' },
  { key: 'minReplicas', label: 'Min replicas', scaling: 'autoscaling' },
  { key: 'maxReplicas', label: 'Max replicas', scaling: 'autoscaling' },
  {
    key: 'targetOngoingRequests',
    label: 'Target ongoing requests per replica',
    scaling: 'autoscaling',
  },
];

/** "Deploy a model": a registered model version on a Ray cluster of the caller's team. */
export function DeployModelDialog(props: {
  open: boolean;
  onClose: () => void;
  onDeployed: (deployment: ModelDeploymentDetails) => void;
  initial?: Partial<DeployDraft>;
}) {
  const api = useApi(servingApiRef);
  const clustersApi = useApi(servingClustersApiRef);
  const clusters = useAsync(
    async () => (await clustersApi.listClusters()).items,
    [clustersApi],
  );
  const [draft, setDraft] = useState<DeployDraft>(() => ({
    ...emptyDeployDraft,
    ...props.initial,
    name: props.initial?.name ?? slugFor(props.initial?.modelName ?? ''),
  }));
  const [nameTouched, setNameTouched] = useState(!!props.initial?.name);
  const [problems, setProblems] = useState<
    Partial<Record<DeployField, string>>
  >({});
  const [rejected, setRejected] = useState<string>();
  const [busy, setBusy] = useState(false);
  const clusterValue =
    draft.cluster ||
    (clusters.value?.length === 1 ? clusters.value[0].name : '');

  function update(change: Partial<DeployDraft>) {
    setDraft(previous => ({
      ...previous,
      ...change,
      ...(change.modelName !== undefined && !nameTouched
        ? { name: slugFor(change.modelName) }
        : {}),
    }));
    setRejected(undefined);
  }

  async function deploy() {
    const complete = { ...draft, cluster: clusterValue };
    const found = deployDraftProblems(complete);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setRejected(undefined);
    try {
      props.onDeployed(
        await api.createDeployment(requestFromDeployDraft(complete)),
      );
    } catch (e) {
      setRejected(apiErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function field(
    key: DeployField,
    label: string,
    options: { helperText?: string; type?: string } = {},
  ) {
    return (
      <TextField
        id={`deploy-${key}`}
        label={label}
        value={draft[key]}
        type={options.type}
        onChange={e => {
          if (key === 'name') setNameTouched(true);
          update({ [key]: e.target.value });
        }}
        error={!!problems[key]}
        helperText={problems[key] ?? options.helperText}
        disabled={busy}
        fullWidth
        margin="dense"
      />
    );
  }

  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>Deploy a model</DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={8}>
            {field('modelName', 'Registered model', {
              helperText: 'Its name in the MLflow model registry',
            })}
          </Grid>
          <Grid item xs={4}>
            {field('modelVersion', 'Version')}
          </Grid>
          <Grid item xs={12}>
            {field('name', 'Deployment name', {
              helperText: 'Its route on the cluster: /<name>/v2/models/<name>',
            })}
          </Grid>
          <Grid item xs={12}>
            <TextField
              id="deploy-cluster"
              select
              label="Ray cluster"
              value={clusterValue}
              onChange={e => update({ cluster: e.target.value })}
              error={!!problems.cluster || !!clusters.error}
              helperText={
                problems.cluster ??
                (clusters.error
                  ? `Could not list clusters: ${apiErrorMessage(
                      clusters.error,
                    )}`
                  : undefined) ??
                (clusters.value?.length === 0
                  ? 'Your team has no Ray cluster: create one on the Ray clusters page first'
                  : 'A cluster of your team')
              }
              disabled={busy || clusters.loading}
              fullWidth
              margin="dense"
            >
              {(clusters.value ?? []).map(c => (
                <MenuItem key={c.name} value={c.name}>
                  {`${c.title || c.name} (${c.state}, ${c.owner})`}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12}>
            <RadioGroup
              row
              aria-label="Scaling"
              value={draft.scaling}
              onChange={e =>
                update({ scaling: e.target.value as DeployDraft['scaling'] })
              }
            >
              <FormControlLabel
                value="fixed"
                control={<Radio />}
                label="Fixed replicas"
                disabled={busy}
              />
              <FormControlLabel
                value="autoscaling"
                control={<Radio />}
                label="Autoscaling"
                disabled={busy}
              />
            </RadioGroup>
          </Grid>
          {SCALING_FIELDS.filter(f => f.scaling === draft.scaling).map(f => (
            <Grid item xs={draft.scaling === 'fixed' ? 12 : 4} key={f.key}>
              {field(f.key, f.label, { type: 'number' })}
            </Grid>
          ))}
          <Grid item xs={6}>
            {field('cpus', 'CPUs per replica', {
              type: 'number',
              helperText: 'Fractions allowed, e.g. 0.5',
            })}
          </Grid>
          <Grid item xs={6}>
            {field('gpus', 'GPUs per replica', {
              type: 'number',
              helperText: 'Fractions share a GPU, e.g. 0.25',
            })}
          </Grid>
        </Grid>
        {rejected && (
          <Alert severity="error" style={{ marginTop: 16 }}>
            <AlertTitle>The deployment was not accepted</AlertTitle>
            {rejected}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={deploy}
          disabled={busy}
        >
          {busy ? 'Deploying…' : 'Deploy'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
