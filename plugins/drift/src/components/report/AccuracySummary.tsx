import { DriftReport } from '@internal/backstage-plugin-drift-common';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { formatShare } from '../formatValues';

const ATC_HINT =
  'Estimated without labels (average thresholded confidence): the share of inputs the model is at least as confident about as it was about the correct ones of its test set.';

const known = (value?: number | null): value is number =>
  value !== undefined && value !== null;

/** "Accuracy: estimated 71 % (reference 98 %)". */
export function AccuracySummary(props: { report: DriftReport }) {
  const accuracy = props.report.accuracy;
  if (!accuracy) return null;
  const { estimated, reference } = accuracy;
  if (!known(estimated) && !known(reference)) return null;
  const estimate = known(estimated)
    ? `estimated ${formatShare(estimated)}`
    : 'no estimate';
  const text = known(reference)
    ? `Accuracy: ${estimate} (reference ${formatShare(reference)})`
    : `Accuracy: ${estimate}`;
  return (
    <Tooltip title={ATC_HINT}>
      <Typography variant="body1">{text}</Typography>
    </Tooltip>
  );
}
