import { DriftWindow } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { describeCheckInProgress } from '../monitorDescriptions';

/** A check running as a Ray job: an indeterminate bar and what it reads. */
export function RunningCheckProgress(props: { window: DriftWindow }) {
  return (
    <Box mb={2}>
      <LinearProgress aria-label="Drift check in progress" />
      <Typography variant="body2" color="textSecondary">
        {describeCheckInProgress(props.window)}
      </Typography>
    </Box>
  );
}
