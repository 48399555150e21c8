import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import Slider from '@material-ui/core/Slider';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';
import { RollbackDialog } from './RollbackDialog';
import {
  canaryWeights,
  challengerOf,
  championOnlyWeights,
  roleOf,
  rollbackTargets,
} from './traffic';

const VERSION = /^[1-9][0-9]{0,8}$/;

/** Versions with their weights; canary (slider), promote, abort and rollback. */
export function TrafficCard(props: {
  deployment: ModelDeploymentDetails;
  onChanged: (deployment: ModelDeploymentDetails) => void;
}) {
  const { deployment } = props;
  const api = useApi(servingApiRef);
  const champion = deployment.modelVersion;
  const current = challengerOf(deployment);
  const [challenger, setChallenger] = useState(current?.version ?? '');
  const [percent, setPercent] = useState(current?.weight ?? 10);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [rollingBack, setRollingBack] = useState(false);
  let challengerProblem: string | undefined;
  if (challenger && !VERSION.test(challenger)) {
    challengerProblem = 'A registered version number, such as 4';
  } else if (challenger === champion) {
    challengerProblem = `Version ${champion} is the champion already`;
  }
  const canApply = !!challenger && !challengerProblem && !busy;

  async function act(
    action: () => Promise<ModelDeploymentDetails>,
    after?: (d: ModelDeploymentDetails) => void,
  ) {
    setBusy(true);
    setError(undefined);
    try {
      const changed = await action();
      props.onChanged(changed);
      after?.(changed);
      setReason('');
    } catch (e) {
      setError(apiErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const why = reason.trim() || undefined;
  const applySplit = () =>
    act(() =>
      api.setTraffic(deployment.id, {
        weights: canaryWeights(champion, challenger, percent),
        reason: why,
      }),
    );
  const promote = () =>
    act(
      () => api.promote(deployment.id, why),
      () => setChallenger(''),
    );
  const abort = () =>
    act(
      () =>
        api.setTraffic(deployment.id, {
          weights: championOnlyWeights(champion),
          reason: why ?? `canary of version ${current?.version} aborted`,
        }),
      () => setChallenger(''),
    );

  return (
    <InfoCard title="Versions and traffic">
      <Table size="small" aria-label="Versions">
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell>Role</TableCell>
            <TableCell>Traffic</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {deployment.versions.map(v => (
            <TableRow key={v.version}>
              <TableCell>{`v${v.version}`}</TableCell>
              <TableCell>{roleOf(deployment, v)}</TableCell>
              <TableCell style={{ width: '45%' }}>
                <Box display="flex" alignItems="center">
                  <Box flexGrow={1} mr={1}>
                    <LinearProgress
                      variant="determinate"
                      value={v.weight}
                      aria-label={`traffic to version ${v.version}`}
                    />
                  </Box>
                  {`${v.weight}%`}
                </Box>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {deployment.shadow && (
        <Typography variant="body2" color="textSecondary">
          {`Shadow: ${deployment.shadow.percent}% of requests also go to version ${deployment.shadow.version}; its answers are only logged.`}
        </Typography>
      )}
      <Box mt={2}>
        <Typography variant="subtitle2">Canary</Typography>
        <Grid container spacing={2} alignItems="center">
          <Grid item xs={12} sm={4}>
            <TextField
              id="canary-challenger"
              label="Challenger version"
              value={challenger}
              onChange={e => setChallenger(e.target.value.trim())}
              error={!!challengerProblem}
              helperText={challengerProblem ?? 'A registered version'}
              disabled={busy}
              fullWidth
            />
          </Grid>
          <Grid item xs={12} sm={8}>
            <Typography id="canary-percent-label" variant="body2">
              {challenger && !challengerProblem
                ? `v${champion}: ${
                    100 - percent
                  }% · v${challenger}: ${percent}%`
                : `Traffic to the challenger: ${percent}%`}
            </Typography>
            <Slider
              value={percent}
              min={0}
              max={100}
              step={5}
              marks
              valueLabelDisplay="auto"
              disabled={busy}
              aria-labelledby="canary-percent-label"
              onChange={(_, value) => setPercent(value as number)}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              id="traffic-reason"
              label="Why (kept in the history)"
              value={reason}
              onChange={e => setReason(e.target.value)}
              disabled={busy}
              fullWidth
            />
          </Grid>
        </Grid>
        {error && <Alert severity="error">{error}</Alert>}
        <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 8 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={!canApply}
            onClick={applySplit}
          >
            Apply traffic split
          </Button>
          <Button
            variant="outlined"
            color="primary"
            disabled={!current || busy}
            onClick={promote}
          >
            {current ? `Promote v${current.version}` : 'Promote'}
          </Button>
          <Button
            variant="outlined"
            disabled={!current || busy}
            onClick={abort}
          >
            Abort canary
          </Button>
          <Button
            variant="outlined"
            color="secondary"
            disabled={rollbackTargets(deployment).length === 0 || busy}
            onClick={() => setRollingBack(true)}
          >
            Rollback…
          </Button>
        </Box>
      </Box>
      {rollingBack && (
        <RollbackDialog
          deployment={deployment}
          onClose={() => setRollingBack(false)}
          onRolledBack={changed => {
            setRollingBack(false);
            setChallenger('');
            props.onChanged(changed);
          }}
        />
      )}
    </InfoCard>
  );
}
