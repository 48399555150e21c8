import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';
import { Box, Button, MenuItem, TextField } from '@material-ui/core';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { datasetsApiRef } from '../../api';
import { shortVersion } from '../format';
import { Outcome, OutcomeMessage } from '../OutcomeMessage';

/** Copies a folder of one of the team's S3 connections into a new version. */
export function ImportCard(props: {
  datasetId: string;
  onImported: (version: DatasetVersion) => void;
}) {
  const api = useApi(datasetsApiRef);
  const connections = useAsync(
    async () => (await api.listConnections()).items,
    [api],
  );
  const [connectionId, setConnectionId] = useState('');
  const [prefix, setPrefix] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Outcome>();

  if (!connections.value?.length) return null;

  const run = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const version = await api.importFromConnection(props.datasetId, {
        connectionId,
        prefix,
      });
      setMessage({
        text: `Imported ${version.fileCount} files: version ${shortVersion(
          version.version,
        )}`,
      });
      props.onImported(version);
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="Import from an S3 connection">
      <Box display="flex" alignItems="center">
        <TextField
          select
          label="Connection"
          value={connectionId}
          onChange={e => setConnectionId(e.target.value)}
          style={{ minWidth: 200, marginRight: 8 }}
        >
          {connections.value.map(c => (
            <MenuItem key={c.id} value={c.id}>
              {c.name} ({c.bucket}/{c.prefix})
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Folder (prefix/)"
          value={prefix}
          onChange={e => setPrefix(e.target.value)}
          style={{ marginRight: 8 }}
        />
        <Button
          variant="outlined"
          onClick={run}
          disabled={busy || !connectionId}
        >
          Import
        </Button>
      </Box>
      <OutcomeMessage outcome={message} />
    </InfoCard>
  );
}
