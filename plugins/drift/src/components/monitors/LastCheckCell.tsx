import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { CheckOutcomeChip } from '../CheckOutcomeChip';
import { timeAgo } from '../formatValues';

/** A monitor's last check: its outcome and how long ago it started; "never" without one. */
export function LastCheckCell(props: { monitor: DriftMonitor }) {
  const check = props.monitor.lastCheck;
  if (!check) return <>never</>;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 8 }}>
      <CheckOutcomeChip check={check} />
      <Typography
        variant="caption"
        color="textSecondary"
        title={new Date(check.startedAt).toLocaleString()}
      >
        {timeAgo(check.startedAt)}
      </Typography>
    </Box>
  );
}
