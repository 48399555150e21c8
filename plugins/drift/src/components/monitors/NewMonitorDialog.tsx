import { useApi } from '@backstage/frontend-plugin-api';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import { apiErrorMessage } from '@internal/mlops-react';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
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
import { driftApiRef } from '../../api';
import {
  emptyMonitorDraft,
  MonitorDraft,
  monitorDraftProblems,
  MonitorField,
  monitorNameFor,
  requestFromMonitorDraft,
} from './monitorDraft';
import { useDeployments } from './useDeployments';

/** "New monitor": a deployment of the caller's team, the requests each check reads, when. */
export function NewMonitorDialog(props: {
  open: boolean;
  onClose: () => void;
  onCreated: (monitor: DriftMonitor) => void;
}) {
  const api = useApi(driftApiRef);
  const deployments = useDeployments();
  const [draft, setDraft] = useState<MonitorDraft>(emptyMonitorDraft);
  const [nameTouched, setNameTouched] = useState(false);
  const [advanced, setAdvanced] = useState(false);
  const [problems, setProblems] = useState<
    Partial<Record<MonitorField, string>>
  >({});
  const [rejected, setRejected] = useState<string>();
  const [busy, setBusy] = useState(false);

  function update(change: Partial<MonitorDraft>) {
    setDraft(previous => ({ ...previous, ...change }));
    setRejected(undefined);
  }

  function pickDeployment(id: string) {
    const deployment = deployments.value?.find(d => d.id === id);
    update({
      deploymentId: id,
      ...(deployment && !nameTouched
        ? { name: monitorNameFor(deployment.name) }
        : {}),
    });
  }

  async function create() {
    const found = monitorDraftProblems(draft);
    setProblems(found);
    if (found.alpha) setAdvanced(true);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setRejected(undefined);
    try {
      props.onCreated(await api.createMonitor(requestFromMonitorDraft(draft)));
    } catch (e) {
      setRejected(apiErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function field(
    key: MonitorField,
    label: string,
    options: { helperText?: string; type?: string } = {},
  ) {
    return (
      <TextField
        id={`monitor-${key}`}
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

  function deploymentHelp() {
    if (problems.deploymentId) return problems.deploymentId;
    if (deployments.error) {
      return `Could not list deployments: ${apiErrorMessage(
        deployments.error,
      )}`;
    }
    if (deployments.value?.length === 0) {
      return 'Your team has no deployment: deploy a model on the Serving page first';
    }
    return 'A deployment of your team; its logged requests are checked';
  }

  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>New drift monitor</DialogTitle>
      <DialogContent>
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <TextField
              id="monitor-deployment"
              select
              label="Deployment"
              value={draft.deploymentId}
              onChange={e => pickDeployment(e.target.value)}
              error={!!problems.deploymentId || !!deployments.error}
              helperText={deploymentHelp()}
              disabled={busy || deployments.loading}
              fullWidth
              margin="dense"
            >
              {(deployments.value ?? []).map(d => (
                <MenuItem key={d.id} value={d.id}>
                  {`${d.name} (${d.modelName} v${d.modelVersion}, ${d.cluster})`}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12}>
            {field('name', 'Monitor name')}
          </Grid>
          <Grid item xs={7}>
            <RadioGroup
              aria-label="Window"
              value={draft.windowKind}
              onChange={e =>
                update({
                  windowKind: e.target.value as MonitorDraft['windowKind'],
                })
              }
            >
              <FormControlLabel
                value="lastRequests"
                control={<Radio />}
                label="The last N requests"
                disabled={busy}
              />
              <FormControlLabel
                value="lastMinutes"
                control={<Radio />}
                label="The requests of the last N minutes"
                disabled={busy}
              />
            </RadioGroup>
          </Grid>
          <Grid item xs={5}>
            {field(
              'windowSize',
              draft.windowKind === 'lastRequests' ? 'Requests' : 'Minutes',
              {
                type: 'number',
                helperText: 'Each check reads these; at least 30 inputs',
              },
            )}
          </Grid>
          <Grid item xs={7}>
            <RadioGroup
              aria-label="Schedule"
              value={draft.schedule}
              onChange={e =>
                update({
                  schedule: e.target.value as MonitorDraft['schedule'],
                })
              }
            >
              <FormControlLabel
                value="onDemand"
                control={<Radio />}
                label="On demand only"
                disabled={busy}
              />
              <FormControlLabel
                value="every"
                control={<Radio />}
                label="Every N minutes"
                disabled={busy}
              />
            </RadioGroup>
          </Grid>
          <Grid item xs={5}>
            {draft.schedule === 'every' &&
              field('intervalMinutes', 'Interval (minutes)', {
                type: 'number',
              })}
          </Grid>
          <Grid item xs={12}>
            <Button size="small" onClick={() => setAdvanced(a => !a)}>
              {advanced ? 'Hide advanced settings' : 'Advanced settings'}
            </Button>
            <Collapse in={advanced}>
              {field('alpha', 'Significance level (α)', {
                type: 'number',
                helperText:
                  'The chance of calling drift when there is none; the tests share it (Bonferroni)',
              })}
            </Collapse>
          </Grid>
        </Grid>
        {rejected && (
          <Alert severity="error" style={{ marginTop: 16 }}>
            <AlertTitle>The monitor was not created</AlertTitle>
            {rejected}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={create}
          disabled={busy}
        >
          {busy ? 'Creating…' : 'Create'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
