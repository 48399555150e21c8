import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ApiKey,
  CreatedApiKey,
} from '@internal/backstage-plugin-serving-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';
import { CreateApiKeyDialog } from './CreateApiKeyDialog';
import { NewApiKeyDialog } from './NewApiKeyDialog';

function formatTime(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function keyStatus(key: ApiKey, now = new Date()): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt) <= now) return 'expired';
  return 'active';
}

/** The deployment's API keys: create (shown once), list, revoke. */
export function ApiKeysCard(props: {
  deploymentId: string;
  onChanged?: () => void;
}) {
  const api = useApi(servingApiRef);
  const keys = useAsyncRetry(
    async () => (await api.listApiKeys(props.deploymentId)).items,
    [api, props.deploymentId],
  );
  const [creating, setCreating] = useState(false);
  // Held only until its dialog closes: the key is never shown again.
  const [created, setCreated] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [revokeError, setRevokeError] = useState<string>();
  const [busy, setBusy] = useState(false);

  function changed() {
    keys.retry();
    props.onChanged?.();
  }

  async function revoke(key: ApiKey) {
    setBusy(true);
    setRevokeError(undefined);
    try {
      await api.revokeApiKey(props.deploymentId, key.id);
      setRevoking(undefined);
      changed();
    } catch (e) {
      setRevokeError(apiErrorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const columns: TableColumn<ApiKey>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Status', render: k => keyStatus(k) },
    {
      title: 'Limit',
      render: k => `${k.requestsPerSecond}/s, burst ${k.burst}`,
    },
    { title: 'Last used', render: k => formatTime(k.lastUsedAt) },
    {
      title: 'Expires',
      render: k => (k.expiresAt ? formatTime(k.expiresAt) : 'never'),
    },
    { title: 'Created by', field: 'createdBy' },
    {
      title: '',
      render: k =>
        k.revokedAt ? null : (
          <Button
            size="small"
            color="secondary"
            aria-label={`Revoke ${k.name}`}
            onClick={() => {
              setRevokeError(undefined);
              setRevoking(k);
            }}
          >
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <InfoCard
      title="API keys"
      subheader="Callers send a key as 'Authorization: Bearer <key>'; only its hash is stored."
      action={
        <Button
          color="primary"
          variant="outlined"
          onClick={() => setCreating(true)}
          style={{ margin: 16 }}
        >
          Create key
        </Button>
      }
    >
      {keys.loading && !keys.value && <Progress />}
      {keys.error && (
        <Alert severity="error">{apiErrorMessage(keys.error)}</Alert>
      )}
      {keys.value && (
        <Table<ApiKey>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={keys.value}
          emptyContent={
            <div style={{ padding: 16 }}>
              No key yet: create one to call the inference API.
            </div>
          }
        />
      )}
      {creating && (
        <CreateApiKeyDialog
          deploymentId={props.deploymentId}
          onClose={() => setCreating(false)}
          onCreated={key => {
            setCreating(false);
            setCreated(key);
            changed();
          }}
        />
      )}
      {created && (
        <NewApiKeyDialog
          apiKey={created}
          onClose={() => setCreated(undefined)}
        />
      )}
      <Dialog open={!!revoking} onClose={() => setRevoking(undefined)}>
        <DialogTitle>Revoke key?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {`Requests with "${revoking?.name}" are refused (401) from the next one on. This cannot be undone.`}
          </DialogContentText>
          {revokeError && <Alert severity="error">{revokeError}</Alert>}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRevoking(undefined)}>Keep it</Button>
          <Button
            color="secondary"
            disabled={busy}
            onClick={() => revoking && revoke(revoking)}
          >
            Yes, revoke it
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
