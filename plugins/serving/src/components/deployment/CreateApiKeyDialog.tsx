import { useApi } from '@backstage/frontend-plugin-api';
import {
  CreateApiKeyRequest,
  CreatedApiKey,
} from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';

type KeyDraft = {
  name: string;
  expiresAt: string;
  requestsPerSecond: string;
  burst: string;
};

/** The request for the draft, or what is wrong with it. */
export function keyRequestFromDraft(
  draft: KeyDraft,
  now = new Date(),
): {
  request?: CreateApiKeyRequest;
  problems: Partial<Record<keyof KeyDraft, string>>;
} {
  const problems: Partial<Record<keyof KeyDraft, string>> = {};
  const name = draft.name.trim();
  if (!name || name.length > 100) problems.name = 'From 1 to 100 characters';
  let expiresAt: string | undefined;
  if (draft.expiresAt) {
    // datetime-local: the user's local time.
    const at = new Date(draft.expiresAt);
    if (Number.isNaN(at.getTime())) problems.expiresAt = 'Not a date and time';
    else if (at <= now) problems.expiresAt = 'Must be in the future';
    else expiresAt = at.toISOString();
  }
  const rps = Number(draft.requestsPerSecond);
  if (!draft.requestsPerSecond.trim() || !(rps >= 0.01 && rps <= 100000)) {
    problems.requestsPerSecond = 'From 0.01 to 100000';
  }
  const burst = Number(draft.burst);
  if (
    draft.burst.trim() &&
    !(Number.isInteger(burst) && burst >= 1 && burst <= 100000)
  ) {
    problems.burst = 'A whole number from 1 to 100000';
  }
  if (Object.keys(problems).length > 0) return { problems };
  return {
    problems,
    request: {
      name,
      requestsPerSecond: rps,
      ...(expiresAt && { expiresAt }),
      ...(draft.burst.trim() && { burst }),
    },
  };
}

export function CreateApiKeyDialog(props: {
  deploymentId: string;
  onClose: () => void;
  onCreated: (key: CreatedApiKey) => void;
}) {
  const api = useApi(servingApiRef);
  const [draft, setDraft] = useState<KeyDraft>({
    name: '',
    expiresAt: '',
    requestsPerSecond: '10',
    burst: '',
  });
  const [problems, setProblems] = useState<
    Partial<Record<keyof KeyDraft, string>>
  >({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create() {
    const { request, problems: found } = keyRequestFromDraft(draft);
    setProblems(found);
    if (!request) return;
    setBusy(true);
    setError(undefined);
    try {
      props.onCreated(await api.createApiKey(props.deploymentId, request));
    } catch (e) {
      setError(apiErrorMessage(e));
      setBusy(false);
    }
  }

  const field = (
    key: keyof KeyDraft,
    label: string,
    helperText: string,
    type?: string,
  ) => (
    <TextField
      id={`key-${key}`}
      label={label}
      type={type}
      value={draft[key]}
      onChange={e => setDraft({ ...draft, [key]: e.target.value })}
      error={!!problems[key]}
      helperText={problems[key] ?? helperText}
      InputLabelProps={type === 'datetime-local' ? { shrink: true } : undefined}
      disabled={busy}
      fullWidth
      margin="dense"
    />
  );

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>Create API key</DialogTitle>
      <DialogContent>
        {field('name', 'Name', 'Who or what uses it, e.g. checkout-service')}
        {field('expiresAt', 'Expires', 'Empty: never', 'datetime-local')}
        {field(
          'requestsPerSecond',
          'Requests per second',
          'Sustained rate',
          'number',
        )}
        {field(
          'burst',
          'Burst',
          'Requests allowed at once; empty: the default',
          'number',
        )}
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={create}
        >
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
