import { InfoCard, Progress } from '@backstage/core-components';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import { apiErrorMessage } from '@internal/mlops-react';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { CheckOutcome } from './CheckOutcome';

/** The selected check in a card: its report, or why there is none. */
export function CheckReportCard(props: {
  check?: DriftCheck;
  loading: boolean;
  error?: Error;
}) {
  const { check } = props;
  const title = check
    ? `Check of ${new Date(check.startedAt).toLocaleString()}`
    : 'Report';
  return (
    <InfoCard title={title}>
      {props.loading && <Progress />}
      {props.error && (
        <Alert severity="error">{apiErrorMessage(props.error)}</Alert>
      )}
      {!props.loading && !props.error && !check && (
        <Typography variant="body2" color="textSecondary">
          No finished check yet. “Run check now” compares the deployment's
          latest requests with the reference data of its model version.
        </Typography>
      )}
      {!props.loading && check && <CheckOutcome check={check} />}
    </InfoCard>
  );
}
