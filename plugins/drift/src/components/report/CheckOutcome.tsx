import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { DriftReportView } from './DriftReportView';

/** What a check came to: still running, failed (and why), or its report. */
export function CheckOutcome(props: { check: DriftCheck }) {
  const { check } = props;
  if (check.status === 'RUNNING') {
    return (
      <Typography variant="body2">
        This check is still running; its report comes when it has finished.
      </Typography>
    );
  }
  if (check.status === 'FAILED') {
    return (
      <Alert severity="error">
        <AlertTitle>The check failed</AlertTitle>
        {check.message ?? 'No reason was recorded.'}
      </Alert>
    );
  }
  if (!check.report) {
    return <Typography variant="body2">This check left no report.</Typography>;
  }
  return <DriftReportView report={check.report} />;
}
