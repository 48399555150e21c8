import Grid from '@material-ui/core/Grid';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  TUNE_ALGORITHMS,
  TUNE_METRICS,
  TuneAlgorithm,
  TuneMetric,
} from '@internal/backstage-plugin-experiments-common';
import {
  AutoTuneDraft,
  AutoTuneProblems,
  BudgetDraft,
  defaultModeOf,
  TUNE_METRIC_LABELS,
} from './autoTuneDraft';
import { SearchSpaceEditor } from './SearchSpaceEditor';

const ALGORITHM_LABELS: Record<TuneAlgorithm, string> = {
  random: 'Random search',
  grid: 'Grid search',
  optuna: 'Optuna (TPE)',
  hyperopt: 'HyperOpt (TPE)',
};

const BUDGET_FIELDS: Array<{
  key: keyof BudgetDraft;
  label: string;
  help: string;
}> = [
  { key: 'trials', label: 'Trials', help: 'Configurations tried at most.' },
  {
    key: 'concurrency',
    label: 'Trials at once',
    help: 'Each trial takes the CPUs per worker set on the left.',
  },
  {
    key: 'timeLimitMinutes',
    label: 'Time limit (minutes)',
    help: 'Trials still running then are stopped.',
  },
];

/** Search space, algorithm, early stopping, budget and objective of an auto-tune run. */
export function AutoTuneFields(props: {
  value: AutoTuneDraft;
  problems: AutoTuneProblems;
  disabled?: boolean;
  /** False where each trial reports once (a tabular fit): ASHA then has nothing to stop. */
  earlyStopping?: boolean;
  onChange: (change: Partial<AutoTuneDraft>) => void;
}) {
  const { value, problems, disabled, onChange } = props;
  const earlyStopping = props.earlyStopping ?? true;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Typography variant="subtitle2">Search space</Typography>
        <SearchSpaceEditor
          dimensions={value.dimensions}
          problems={problems.dimensions}
          disabled={disabled}
          onChange={dimensions => onChange({ dimensions })}
        />
        {problems.space && (
          <Typography variant="caption" color="error" role="alert">
            {problems.space}
          </Typography>
        )}
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          select
          fullWidth
          id="tune-algorithm"
          label="Search algorithm"
          value={value.algorithm}
          disabled={disabled}
          onChange={e =>
            onChange({ algorithm: e.target.value as TuneAlgorithm })
          }
        >
          {TUNE_ALGORITHMS.map(algorithm => (
            <MenuItem key={algorithm} value={algorithm}>
              {ALGORITHM_LABELS[algorithm]}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <FormControlLabel
          control={
            <Switch
              checked={value.asha && earlyStopping}
              disabled={disabled || !earlyStopping}
              onChange={e => onChange({ asha: e.target.checked })}
            />
          }
          label="Stop weak trials early (ASHA)"
        />
        {!earlyStopping && (
          <Typography variant="caption" color="textSecondary" component="p">
            Each trial of this template is one fit, reported once: there is
            nothing to stop early.
          </Typography>
        )}
      </Grid>
      {BUDGET_FIELDS.map(field => (
        <Grid item xs={12} sm={4} key={field.key}>
          <TextField
            fullWidth
            id={`tune-${field.key}`}
            label={field.label}
            value={value.budget[field.key]}
            disabled={disabled}
            error={!!problems.budget[field.key]}
            helperText={problems.budget[field.key] ?? field.help}
            onChange={e =>
              onChange({
                budget: { ...value.budget, [field.key]: e.target.value },
              })
            }
          />
        </Grid>
      ))}
      <Grid item xs={12} sm={6}>
        <TextField
          select
          fullWidth
          id="tune-metric"
          label="Optimize"
          value={value.metric}
          disabled={disabled}
          onChange={e => {
            const metric = e.target.value as TuneMetric;
            onChange({ metric, mode: defaultModeOf(metric) });
          }}
        >
          {TUNE_METRICS.map(metric => (
            <MenuItem key={metric} value={metric}>
              {TUNE_METRIC_LABELS[metric]}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid item xs={12} sm={6}>
        <TextField
          select
          fullWidth
          id="tune-mode"
          label="Goal"
          value={value.mode}
          disabled={disabled}
          onChange={e => onChange({ mode: e.target.value as 'max' | 'min' })}
        >
          <MenuItem value="max">maximize</MenuItem>
          <MenuItem value="min">minimize</MenuItem>
        </TextField>
      </Grid>
    </Grid>
  );
}
