import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { DatasetConnection } from '@internal/backstage-plugin-datasets-common';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { FormEvent, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { datasetsApiRef } from '../api';

const columns: TableColumn<DatasetConnection>[] = [
  { title: 'Connection', field: 'name' },
  { title: 'Owner', field: 'owner' },
  { title: 'Endpoint', field: 'endpoint' },
  { title: 'Bucket', field: 'bucket' },
  { title: 'Prefix', field: 'prefix' },
];

const EMPTY = {
  name: '',
  endpoint: '',
  bucket: '',
  prefix: '',
  accessKeyId: '',
  secretAccessKey: '',
};

/** The team's S3 connections and a form to add one; the backend checks it before saving. */
export function ConnectionsCard() {
  const api = useApi(datasetsApiRef);
  const connections = useAsyncRetry(
    async () => (await api.listConnections()).items,
    [api],
  );
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const field = (name: keyof typeof EMPTY, label: string, type = 'text') => (
    <TextField
      id={`connection-${name}`}
      label={label}
      type={type}
      value={form[name]}
      onChange={e => setForm({ ...form, [name]: e.target.value })}
      size="small"
      variant="outlined"
      style={{ marginRight: 8, marginBottom: 8 }}
    />
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.createConnection({
        ...form,
        ...(form.prefix ? {} : { prefix: undefined }),
      });
      setForm(EMPTY);
      connections.retry();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="S3 connections">
      {connections.loading && <Progress />}
      {connections.error && <ResponseErrorPanel error={connections.error} />}
      {connections.value && (
        <Table<DatasetConnection>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={connections.value}
          emptyContent={<div style={{ padding: 16 }}>No connection yet.</div>}
        />
      )}
      <Box
        component="form"
        onSubmit={submit}
        mt={2}
        aria-label="new connection"
      >
        {field('name', 'Name')}
        {field('endpoint', 'Endpoint URL')}
        {field('bucket', 'Bucket')}
        {field('prefix', 'Prefix (folder/)')}
        {field('accessKeyId', 'Access key id')}
        {field('secretAccessKey', 'Secret access key', 'password')}
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={busy || !form.name || !form.endpoint || !form.bucket}
        >
          Check and save
        </Button>
        {error && (
          <Typography color="error" style={{ marginTop: 8 }}>
            {error}
          </Typography>
        )}
      </Box>
    </InfoCard>
  );
}
