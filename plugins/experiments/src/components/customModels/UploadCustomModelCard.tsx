import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CustomModelVersion } from '@internal/backstage-plugin-experiments-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import CloudUploadIcon from '@material-ui/icons/CloudUpload';
import { useState } from 'react';
import { experimentsApiRef } from '../../api';
import { UploadedVersion } from './UploadedVersion';
import { UploadProblems } from './UploadProblems';
import { uploadRejection, UploadRejection } from './uploadRejection';

function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

/** "My_CNN.py" → "my-cnn": a model name suggested by a file's name. */
function nameFromFile(fileName: string) {
  return fileName
    .replace(/\.py$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
}

/**
 * Name, description and the module's source (a .py file or pasted); the backend checks it in Ray
 * and stores it as a new version, or lists what is wrong with it.
 */
export function UploadCustomModelCard(props: {
  onUploaded: (version: CustomModelVersion) => void;
}) {
  const api = useApi(experimentsApiRef);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [source, setSource] = useState('');
  const [fileName, setFileName] = useState<string>();
  const [checking, setChecking] = useState(false);
  const [rejection, setRejection] = useState<UploadRejection>();
  const [uploaded, setUploaded] = useState<CustomModelVersion>();

  async function pickFile(file: File) {
    setFileName(file.name);
    setSource(await readText(file));
    if (!name) setName(nameFromFile(file.name));
  }

  async function upload() {
    setChecking(true);
    setRejection(undefined);
    setUploaded(undefined);
    try {
      const version = await api.createCustomModel({
        name: name.trim(),
        source,
        description: description.trim() || undefined,
      });
      setUploaded(version);
      props.onUploaded(version);
    } catch (e) {
      setRejection(uploadRejection(e as Error));
    } finally {
      setChecking(false);
    }
  }

  return (
    <InfoCard title="Upload a custom model">
      <TextField
        fullWidth
        required
        id="custom-model-name"
        label="Name"
        value={name}
        disabled={checking}
        helperText='2-63 characters: lower-case letters, digits and "-", starting with a letter. An existing name of your team gets a new version.'
        onChange={e => setName(e.target.value)}
        margin="normal"
      />
      <TextField
        fullWidth
        id="custom-model-description"
        label="Description"
        value={description}
        disabled={checking}
        onChange={e => setDescription(e.target.value)}
        margin="normal"
      />
      <Box display="flex" alignItems="center" mt={2} mb={1}>
        <Button variant="outlined" component="label" disabled={checking}>
          Choose a .py file
          <input
            type="file"
            hidden
            accept=".py,text/x-python"
            aria-label="Python file"
            onChange={e => e.target.files?.[0] && pickFile(e.target.files[0])}
          />
        </Button>
        <Box ml={2}>
          <Typography variant="body2" color="textSecondary">
            {fileName ?? 'or paste the module below'}
          </Typography>
        </Box>
      </Box>
      <TextField
        fullWidth
        required
        multiline
        minRows={10}
        maxRows={30}
        variant="outlined"
        id="custom-model-source"
        label="Python source"
        value={source}
        disabled={checking}
        onChange={e => setSource(e.target.value)}
        inputProps={{
          spellCheck: false,
          style: { fontFamily: 'monospace', fontSize: 13 },
        }}
      />
      <Box mt={2}>
        <Button
          variant="contained"
          color="primary"
          startIcon={<CloudUploadIcon />}
          disabled={checking || !name.trim() || !source.trim()}
          onClick={upload}
        >
          Check and upload
        </Button>
      </Box>
      {checking && (
        <Box mt={2}>
          <LinearProgress aria-label="checking the module" />
          <Typography variant="body2" style={{ marginTop: 8 }}>
            Checking the module in Ray: it is loaded there and build_model runs
            on a test batch. This usually takes 10 to 60 seconds.
          </Typography>
        </Box>
      )}
      {rejection && <UploadProblems rejection={rejection} />}
      {uploaded && <UploadedVersion version={uploaded} />}
    </InfoCard>
  );
}
