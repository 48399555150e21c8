import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { countOf, formatCount } from '../formatValues';
import { LabelsUpload } from './useLabelsUpload';

/** "Stored 2,500 labels (2,600 in all)". */
function storedSentence(upload: LabelsUpload): string {
  const inAll =
    upload.total === undefined ? '' : ` (${formatCount(upload.total)} in all)`;
  return `Stored ${countOf(upload.stored, 'label')}${inAll}`;
}

/** A determinate bar over the labels sent so far. */
export function LabelsUploadProgress(props: { upload: LabelsUpload }) {
  const { sent, toSend } = props.upload;
  return (
    <Box mt={2}>
      <LinearProgress
        variant="determinate"
        value={toSend ? (100 * sent) / toSend : 0}
        aria-label="Sending labels"
      />
      <Typography variant="body2" color="textSecondary">
        {`Sent ${formatCount(sent)} of ${countOf(toSend, 'label')}…`}
      </Typography>
    </Box>
  );
}

/** What the backend answered: how many labels it stored, or why it refused them. */
export function LabelsUploadOutcome(props: { upload: LabelsUpload }) {
  const { upload } = props;
  if (upload.error) {
    return (
      <Alert severity="error" style={{ marginTop: 16 }}>
        <AlertTitle>
          {upload.stored > 0
            ? `${storedSentence(upload)}, then the rest was refused`
            : 'The labels were not stored'}
        </AlertTitle>
        {upload.error}
      </Alert>
    );
  }
  if (upload.toSend === 0) return null;
  return (
    <Alert severity="success" style={{ marginTop: 16 }}>
      {`${storedSentence(
        upload,
      )}. The next check reports the real accuracy on the labelled requests of its window.`}
    </Alert>
  );
}
