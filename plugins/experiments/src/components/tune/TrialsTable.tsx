import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  TrainingJob,
  TuneTrial,
  TuneTrialState,
  bestTrialValue,
} from '@internal/backstage-plugin-experiments-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import { blue, green, grey, red } from '@material-ui/core/colors';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import StarIcon from '@material-ui/icons/Star';
import { Link } from 'react-router-dom';
import { newTrainingRunRouteRef } from '../../routes';
import { TUNE_METRIC_LABELS } from './autoTuneDraft';
import { formatMetric, formatValue } from './format';
import { rerunQuery } from './rerun';

const STATE_COLORS: Record<TuneTrialState, string> = {
  RUNNING: blue[700],
  SUCCEEDED: green[700],
  STOPPED: grey[600],
  FAILED: red[700],
};

/** Every trial: state, searched values, best metric, epochs, and "re-run with this config". */
export function TrialsTable(props: { job: TrainingJob; trials: TuneTrial[] }) {
  const { job, trials } = props;
  const autoTune = job.config.autoTune!;
  const newRunPath = useRouteRef(newTrainingRunRouteRef);
  const names = Object.keys(autoTune.searchSpace);
  return (
    <Table size="small" aria-label="Trials">
      <TableHead>
        <TableRow>
          <TableCell>Trial</TableCell>
          <TableCell>State</TableCell>
          {names.map(name => (
            <TableCell key={name}>{name}</TableCell>
          ))}
          <TableCell>{TUNE_METRIC_LABELS[autoTune.metric]}</TableCell>
          <TableCell>Epochs</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {trials.map(trial => {
          const query = rerunQuery({
            name: `${job.name}, trial ${trial.trialId}`,
            templateId: job.config.template.id,
            datasetId: job.config.dataset.id,
            hyperparameters: trial.hyperparameters,
            seed: trial.seed,
          });
          return (
            <TableRow key={trial.trialId} selected={trial.best}>
              <TableCell>
                {trial.best && (
                  <Tooltip title="Best trial">
                    <StarIcon
                      fontSize="inherit"
                      aria-label="best trial"
                      style={{ verticalAlign: 'middle', marginRight: 4 }}
                    />
                  </Tooltip>
                )}
                {trial.trialId}
              </TableCell>
              <TableCell>
                <Tooltip title={trial.error ?? ''}>
                  <Chip
                    size="small"
                    label={trial.state}
                    style={{
                      backgroundColor: STATE_COLORS[trial.state],
                      color: '#fff',
                    }}
                  />
                </Tooltip>
              </TableCell>
              {names.map(name => (
                <TableCell key={name}>
                  {formatValue(trial.config[name])}
                </TableCell>
              ))}
              <TableCell>
                {formatMetric(autoTune.metric, bestTrialValue(trial, autoTune))}
              </TableCell>
              <TableCell>{trial.history.length}</TableCell>
              <TableCell>
                <Button
                  size="small"
                  component={Link}
                  to={`${newRunPath?.() ?? ''}?${query}`}
                  aria-label={`Re-run trial ${trial.trialId} with this config`}
                >
                  Re-run
                </Button>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
