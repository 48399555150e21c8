import { CreatedApiKey } from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';

/** The new key, shown this once, with a copy button. */
export function NewApiKeyDialog(props: {
  apiKey: CreatedApiKey;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState<string>();

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.apiKey.key);
      setCopied('Copied.');
    } catch {
      setCopied(
        'The browser did not allow copying: select the key and copy it.',
      );
    }
  }

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{`API key "${props.apiKey.name}"`}</DialogTitle>
      <DialogContent>
        <Alert severity="warning">
          Copy the key now: this is the only time it is shown. The portal keeps
          only its hash; if it is lost, revoke it and create a new one.
        </Alert>
        <TextField
          id="new-api-key"
          label="Key"
          value={props.apiKey.key}
          InputProps={{ readOnly: true, style: { fontFamily: 'monospace' } }}
          onFocus={e => e.target.select()}
          fullWidth
          margin="normal"
        />
        {copied && <div role="status">{copied}</div>}
      </DialogContent>
      <DialogActions>
        <Button onClick={copy} color="primary">
          Copy
        </Button>
        <Button onClick={props.onClose} color="primary" variant="contained">
          I have copied it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
