import { InfoCard } from '@backstage/core-components';
import {
  discoveryApiRef,
  identityApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';
import { Box, Button, LinearProgress, Typography } from '@material-ui/core';
import { DragEvent, useState } from 'react';
import { datasetsApiRef } from '../../api';
import {
  RESUMABLE_UPLOAD_THRESHOLD,
  uploadResumable,
  uploadWithProgress,
} from '../../upload';
import { shortVersion } from '../format';
import { Outcome, OutcomeMessage } from '../OutcomeMessage';

/**
 * Drop or pick a file (CSV, IDX, image or zip); it becomes part of a new version. Large files go
 * up in parts and can be resumed after a failure, also after a page reload (pick the same file).
 */
export function UploadCard(props: {
  datasetId: string;
  onUploaded: (version: DatasetVersion) => void;
  /** Files above this many bytes are uploaded in resumable parts. */
  resumableThreshold?: number;
}) {
  const api = useApi(datasetsApiRef);
  const identityApi = useApi(identityApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const [progress, setProgress] = useState<number>();
  const [message, setMessage] = useState<Outcome>();
  const [failed, setFailed] = useState<File>();
  const threshold = props.resumableThreshold ?? RESUMABLE_UPLOAD_THRESHOLD;

  const upload = async (file: File) => {
    setMessage(undefined);
    setFailed(undefined);
    setProgress(0);
    const resumable = file.size > threshold;
    try {
      const { token } = await identityApi.getCredentials();
      const version = resumable
        ? await uploadResumable({
            baseUrl: await discoveryApi.getBaseUrl('datasets'),
            datasetId: props.datasetId,
            file,
            token,
            onProgress: setProgress,
          })
        : await uploadWithProgress({
            url: await api.uploadUrl(props.datasetId, file.name),
            token,
            file,
            onProgress: setProgress,
          });
      setMessage({
        text: `Uploaded ${file.name}: version ${shortVersion(version.version)}`,
      });
      props.onUploaded(version);
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
      if (resumable) setFailed(file);
    } finally {
      setProgress(undefined);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const file = event.dataTransfer.files[0];
    if (file) upload(file);
  };

  return (
    <InfoCard title="Upload">
      <Box
        onDragOver={e => e.preventDefault()}
        onDrop={onDrop}
        p={3}
        border="2px dashed #8886"
        borderRadius={4}
        textAlign="center"
      >
        <Typography gutterBottom>
          Drop a CSV, Parquet, NPZ, IDX, PNG/JPEG or zip file here (a zip of one
          folder per class for images), or
        </Typography>
        <Button
          variant="outlined"
          component="label"
          disabled={progress !== undefined}
        >
          Choose a file
          <input
            type="file"
            hidden
            aria-label="file to upload"
            onChange={e => e.target.files?.[0] && upload(e.target.files[0])}
          />
        </Button>
      </Box>
      {progress !== undefined && (
        <Box mt={2}>
          <LinearProgress
            variant="determinate"
            value={Math.round(progress * 100)}
          />
          <Typography variant="caption">
            {Math.round(progress * 100)}%
          </Typography>
        </Box>
      )}
      <OutcomeMessage outcome={message} />
      {failed && progress === undefined && (
        <Box mt={1}>
          <Button variant="outlined" onClick={() => upload(failed)}>
            Resume upload of {failed.name}
          </Button>
        </Box>
      )}
    </InfoCard>
  );
}
