import { TrainingDataset } from '@internal/backstage-plugin-experiments-common';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** Version ids of the datasets plugin are SHA-256 hex: show the first 12 digits, like git. */
function shortVersion(version: string) {
  return /^[0-9a-f]{64}$/.test(version) ? version.slice(0, 12) : version;
}

/**
 * Datasets of the datasets plugin to train on, each at its latest version (the version a new run
 * pins); those in a format the template does not read are shown but disabled.
 */
export function DatasetPicker(props: {
  datasets: TrainingDataset[];
  acceptedFormats: string[];
  value: string;
  onChange: (datasetId: string) => void;
  error?: string;
  disabled?: boolean;
}) {
  return (
    <TextField
      select
      fullWidth
      required
      id="run-dataset"
      label="Dataset"
      value={props.value}
      disabled={props.disabled}
      error={!!props.error}
      helperText={
        props.error ??
        (props.datasets.length === 0
          ? 'No dataset yet: add one in the Datasets area first.'
          : `The template reads ${props.acceptedFormats.join(', ')} datasets.`)
      }
      onChange={event => props.onChange(event.target.value)}
    >
      {props.datasets.map(dataset => {
        const accepted = props.acceptedFormats.includes(dataset.format);
        return (
          <MenuItem key={dataset.id} value={dataset.id} disabled={!accepted}>
            {dataset.title} — version {shortVersion(dataset.version)} (
            {dataset.format}
            {dataset.owner ? `, ${dataset.owner}` : ''}
            {accepted ? '' : ', not accepted by this template'})
          </MenuItem>
        );
      })}
    </TextField>
  );
}
