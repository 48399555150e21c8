import { useApi } from '@backstage/frontend-plugin-api';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { FormEvent, useState } from 'react';
import { datasetsApiRef } from '../api';

/** Name and description of a new dataset, owned by the signed-in user. */
export function CreateDatasetForm(props: { onCreated: (d: Dataset) => void }) {
  const api = useApi(datasetsApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const dataset = await api.createDataset({
        name,
        ...(description && { description }),
      });
      setName('');
      setDescription('');
      props.onCreated(dataset);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box
      component="form"
      onSubmit={submit}
      display="flex"
      alignItems="center"
      mt={2}
    >
      <TextField
        id="new-dataset-name"
        label="New dataset name"
        value={name}
        onChange={e => setName(e.target.value)}
        size="small"
        variant="outlined"
        style={{ marginRight: 8 }}
      />
      <TextField
        id="new-dataset-description"
        label="Description"
        value={description}
        onChange={e => setDescription(e.target.value)}
        size="small"
        variant="outlined"
        style={{ marginRight: 8, flexGrow: 1 }}
      />
      <Button
        type="submit"
        variant="contained"
        color="primary"
        disabled={!name || busy}
      >
        Create
      </Button>
      {error && (
        <Typography color="error" style={{ marginLeft: 8 }}>
          {error}
        </Typography>
      )}
    </Box>
  );
}
