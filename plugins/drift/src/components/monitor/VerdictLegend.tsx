import { DriftVerdict } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { VERDICT_COLORS, VERDICT_LABELS } from '../verdictColors';

/** What the colours of the history's points mean. */
export function VerdictLegend() {
  return (
    <Box display="flex" style={{ gap: 16 }} justifyContent="center">
      {(Object.keys(VERDICT_COLORS) as DriftVerdict[]).map(verdict => (
        <Typography key={verdict} variant="caption" color="textSecondary">
          <span style={{ color: VERDICT_COLORS[verdict] }}>●</span>{' '}
          {VERDICT_LABELS[verdict]}
        </Typography>
      ))}
    </Box>
  );
}
