import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useState } from 'react';
import { countOf } from '../formatValues';
import { MAX_LABEL_LINES, parseLabelsCsv } from './labelsCsv';
import {
  LabelsUploadOutcome,
  LabelsUploadProgress,
} from './LabelsUploadStatus';
import { useLabelsUpload } from './useLabelsUpload';

/** The problems listed at most; the rest are counted. */
const SHOWN_PROBLEMS = 5;

function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

/**
 * "Add labels": CSV lines `requestId,label`, pasted or read from a file in the browser, checked
 * here, then sent in chunks of 1,000 with their progress and the backend's answer.
 */
export function AddLabelsDialog(props: {
  monitorId: string;
  open: boolean;
  onClose: () => void;
  onStored: () => void;
}) {
  const { upload, send, reset } = useLabelsUpload(
    props.monitorId,
    props.onStored,
  );
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [problems, setProblems] = useState<string[]>([]);

  function edit(next: string) {
    setText(next);
    setProblems([]);
    reset();
  }

  async function pickFile(file: File) {
    setFileName(file.name);
    edit(await readText(file));
  }

  async function submit() {
    const parsed = parseLabelsCsv(text);
    if (parsed.problems.length === 0 && parsed.labels.length === 0) {
      setProblems([
        'No label in the text: one line requestId,label per request',
      ]);
      return;
    }
    setProblems(parsed.problems);
    if (parsed.problems.length > 0) return;
    const done = await send(parsed.labels);
    if (!done.error) {
      setText('');
      setFileName(undefined);
    }
  }

  function close() {
    if (upload.sending) return;
    setProblems([]);
    reset();
    props.onClose();
  }

  return (
    <Dialog open={props.open} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>Add ground-truth labels</DialogTitle>
      <DialogContent>
        <DialogContentText>
          One line per request: <code>requestId,label</code>, the request id
          being the <code>id</code> of its answer. The labels of a batched
          request, one per input in order, are separated by <code>;</code> or{' '}
          <code>|</code> (<code>abc123,7;1</code>). A header line is optional;
          at most {countOf(MAX_LABEL_LINES, 'line')}. A request labelled again
          keeps its newest label.
        </DialogContentText>
        <Box display="flex" alignItems="center" mb={1} style={{ gap: 16 }}>
          <Button
            variant="outlined"
            component="label"
            disabled={upload.sending}
          >
            Choose a CSV file
            <input
              type="file"
              hidden
              accept=".csv,.txt,text/csv,text/plain"
              aria-label="CSV file"
              onChange={e => e.target.files?.[0] && pickFile(e.target.files[0])}
            />
          </Button>
          <Typography variant="body2" color="textSecondary">
            {fileName ?? 'or paste the lines below'}
          </Typography>
        </Box>
        <TextField
          id="drift-labels-csv"
          label="Labels (CSV)"
          placeholder={'requestId,label\nabc123,7\ndef456,7;1'}
          value={text}
          onChange={e => edit(e.target.value)}
          disabled={upload.sending}
          multiline
          minRows={6}
          maxRows={16}
          variant="outlined"
          fullWidth
          inputProps={{
            spellCheck: false,
            style: { fontFamily: 'monospace', fontSize: 13 },
          }}
        />
        {problems.length > 0 && (
          <Alert severity="error" style={{ marginTop: 16 }}>
            <AlertTitle>Nothing was sent</AlertTitle>
            {problems.slice(0, SHOWN_PROBLEMS).map(problem => (
              <div key={problem}>{problem}</div>
            ))}
            {problems.length > SHOWN_PROBLEMS && (
              <div>
                {`and ${countOf(
                  problems.length - SHOWN_PROBLEMS,
                  'more line',
                )} with a problem`}
              </div>
            )}
          </Alert>
        )}
        {upload.sending && <LabelsUploadProgress upload={upload} />}
        {!upload.sending && <LabelsUploadOutcome upload={upload} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={upload.sending}>
          Close
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={upload.sending || !text.trim()}
        >
          {upload.sending ? 'Sending…' : 'Send labels'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
