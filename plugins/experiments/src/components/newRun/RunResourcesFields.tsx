import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { RunDraft } from './runDraft';
import { RunField } from './submissionProblems';

type ResourceDraft = Pick<
  RunDraft,
  'seed' | 'numWorkers' | 'cpusPerWorker' | 'useGpu'
>;

const RESOURCE_NUMBERS = [
  {
    key: 'numWorkers',
    id: 'run-workers',
    label: 'Workers',
    help: 'Ray Train workers',
  },
  {
    key: 'cpusPerWorker',
    id: 'run-cpus',
    label: 'CPUs per worker',
    help: undefined,
  },
] as const;

/** Seed and the resources the run asks Ray for. */
export function RunResourcesFields(props: {
  value: ResourceDraft;
  onChange: (change: Partial<ResourceDraft>) => void;
  errors: Partial<Record<RunField, string>>;
  disabled?: boolean;
}) {
  const { value, errors, disabled } = props;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} sm={6}>
        <TextField
          fullWidth
          id="run-seed"
          label="Seed"
          value={value.seed}
          disabled={disabled}
          error={!!errors.seed}
          helperText={
            errors.seed ??
            'Same seed, same data and settings: the same model. Leave empty for a random one.'
          }
          onChange={e => props.onChange({ seed: e.target.value })}
        />
      </Grid>
      {RESOURCE_NUMBERS.map(field => (
        <Grid item xs={6} sm={3} key={field.key}>
          <TextField
            fullWidth
            id={field.id}
            label={field.label}
            type="number"
            value={value[field.key]}
            disabled={disabled}
            error={!!errors[field.key]}
            helperText={errors[field.key] ?? field.help}
            onChange={e => props.onChange({ [field.key]: e.target.value })}
          />
        </Grid>
      ))}
      <Grid item xs={12}>
        <FormControlLabel
          control={
            <Checkbox
              checked={value.useGpu}
              disabled={disabled}
              onChange={e => props.onChange({ useGpu: e.target.checked })}
            />
          }
          label={
            errors.useGpu
              ? `One GPU per worker: ${errors.useGpu}`
              : 'One GPU per worker'
          }
        />
      </Grid>
    </Grid>
  );
}
