import { DriftReport } from '@internal/backstage-plugin-drift-common';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { accuracySentence, hasRealAccuracy } from './accuracySentence';

const ATC_HINT =
  'Estimated without labels (average thresholded confidence): the share of inputs the model is at least as confident about as it was about the correct ones of its test set.';
const REAL_HINT =
  'Real: measured on the inputs of the window whose requests have a ground-truth label.';

/** "Accuracy: estimated 71 % · real 69 % on 100 labelled inputs (reference 98 %)". */
export function AccuracySummary(props: { report: DriftReport }) {
  const accuracy = props.report.accuracy;
  const text = accuracy && accuracySentence(accuracy);
  if (!accuracy || !text) return null;
  const hint = hasRealAccuracy(accuracy)
    ? `${ATC_HINT} ${REAL_HINT}`
    : ATC_HINT;
  return (
    <Tooltip title={hint}>
      <Typography variant="body1">{text}</Typography>
    </Tooltip>
  );
}
