import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import Chip from '@material-ui/core/Chip';
import CircularProgress from '@material-ui/core/CircularProgress';
import Tooltip from '@material-ui/core/Tooltip';
import { blue, red } from '@material-ui/core/colors';
import { VERDICT_COLORS, VERDICT_LABELS } from './verdictColors';

function chipLook(check: Pick<DriftCheck, 'status' | 'verdict'>): {
  label: string;
  color: string;
} {
  if (check.status === 'RUNNING') return { label: 'Running', color: blue[700] };
  if (check.status === 'FAILED' || !check.verdict) {
    return { label: 'Failed', color: red[800] };
  }
  return {
    label: VERDICT_LABELS[check.verdict],
    color: VERDICT_COLORS[check.verdict],
  };
}

/**
 * What a check found, as a chip: its verdict, a spinner while it runs, or "Failed" with the
 * reason on hover.
 */
export function CheckOutcomeChip(props: {
  check: Pick<DriftCheck, 'status' | 'verdict' | 'message'>;
}) {
  const { check } = props;
  const { label, color } = chipLook(check);
  const chip = (
    <Chip
      size="small"
      label={label}
      icon={
        check.status === 'RUNNING' ? (
          <CircularProgress
            size={12}
            style={{ color: '#fff' }}
            aria-label="check in progress"
          />
        ) : undefined
      }
      style={{ backgroundColor: color, color: '#fff' }}
    />
  );
  if (check.status !== 'FAILED' || !check.message) return chip;
  return (
    <Tooltip title={check.message}>
      <span>{chip}</span>
    </Tooltip>
  );
}
