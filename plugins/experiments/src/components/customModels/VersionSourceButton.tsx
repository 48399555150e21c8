import {
  CodeSnippet,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CustomModelVersion } from '@internal/backstage-plugin-experiments-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { experimentsApiRef } from '../../api';

function SourceDialog(props: {
  version: CustomModelVersion;
  onClose: () => void;
}) {
  const { name, owner, version, sha256 } = props.version;
  const api = useApi(experimentsApiRef);
  const loaded = useAsync(
    () => api.getCustomModelVersion(name, version, owner),
    [api, name, version, owner],
  );
  const titleId = `source-${name}-${version}`;
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>
        {name} v{version}: source
      </DialogTitle>
      <DialogContent dividers>
        <Typography variant="caption" display="block" gutterBottom>
          sha256 {sha256}
        </Typography>
        {loaded.loading && <Progress />}
        {loaded.error && <ResponseErrorPanel error={loaded.error} />}
        {loaded.value && (
          <CodeSnippet
            text={loaded.value.source ?? ''}
            language="python"
            showLineNumbers
            showCopyCodeButton
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

/** Opens a version's source, read-only, in a dialog. */
export function VersionSourceButton(props: { version: CustomModelVersion }) {
  const [open, setOpen] = useState(false);
  const { name, version } = props.version;
  return (
    <>
      <Button
        size="small"
        aria-label={`Source of ${name} v${version}`}
        onClick={() => setOpen(true)}
      >
        Source
      </Button>
      {open && (
        <SourceDialog version={props.version} onClose={() => setOpen(false)} />
      )}
    </>
  );
}
