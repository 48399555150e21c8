import {
  ModelDeployment,
  ModelDeploymentState,
} from '@internal/backstage-plugin-serving-common';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import Tooltip from '@material-ui/core/Tooltip';
import { blue, green, grey, red } from '@material-ui/core/colors';

const STATE_COLORS: Record<ModelDeploymentState, string> = {
  DEPLOYING: blue[700],
  HEALTHY: green[700],
  UNHEALTHY: red[700],
  DELETING: grey[700],
};

/** The state as a chip; Ray Serve's message on hover; a spinner while it deploys. */
export function DeploymentStateChip(props: {
  deployment: Pick<ModelDeployment, 'state' | 'message'>;
}) {
  const { state, message } = props.deployment;
  const busy = state === 'DEPLOYING' || state === 'DELETING';
  const chip = (
    <Chip
      size="small"
      label={state}
      icon={
        busy ? (
          <CircularProgress
            size={12}
            style={{ color: '#fff' }}
            aria-label={`${state.toLowerCase()} in progress`}
          />
        ) : undefined
      }
      style={{ backgroundColor: STATE_COLORS[state], color: '#fff' }}
    />
  );
  if (!message) return chip;
  return (
    <Tooltip title={message}>
      <span>{chip}</span>
    </Tooltip>
  );
}
