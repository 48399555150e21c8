import { TrainingJobState } from '@internal/backstage-plugin-experiments-common';
import Chip from '@material-ui/core/Chip';
import { blue, green, grey, orange, red } from '@material-ui/core/colors';

const STATE_COLORS: Record<TrainingJobState, string> = {
  QUEUED: grey[600],
  STARTING: blue[300],
  RUNNING: blue[700],
  SUCCEEDED: green[700],
  FAILED: red[700],
  CANCELLING: orange[800],
  CANCELLED: grey[800],
};

export function JobStateChip(props: { state: TrainingJobState }) {
  return (
    <Chip
      size="small"
      label={props.state}
      style={{ backgroundColor: STATE_COLORS[props.state], color: '#fff' }}
    />
  );
}
