import { CodeSnippet, InfoCard } from '@backstage/core-components';
import { discoveryApiRef, useApi } from '@backstage/frontend-plugin-api';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { countOf } from '../formatValues';
import { AddLabelsDialog } from './AddLabelsDialog';
import { labelsCurlExample } from './labelsApiExample';
import { LABELS_PER_CALL } from './useLabelsUpload';

/** The drift backend's base URL, "/api/drift" until it is known. */
function useDriftBaseUrl(): string {
  const discovery = useApi(discoveryApiRef);
  const { value } = useAsync(() => discovery.getBaseUrl('drift'), [discovery]);
  return value ?? '/api/drift';
}

/**
 * What ground-truth labels are for, how many requests of the monitor have one, "Add labels" (CSV
 * in a dialog) and a curl call of the API.
 */
export function LabelsCard(props: {
  monitor: DriftMonitor;
  onLabelsStored: () => void;
}) {
  const { monitor } = props;
  const baseUrl = useDriftBaseUrl();
  const [adding, setAdding] = useState(false);
  const [showApi, setShowApi] = useState(false);
  const labelled = monitor.labels ?? 0;
  return (
    <InfoCard title="Ground-truth labels">
      <Typography variant="body2" color="textSecondary" paragraph>
        Attach the true class to logged requests by the <code>id</code> their
        answers carry; the next check reports the real accuracy beside the
        estimated one.
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="body1" style={{ flexGrow: 1 }}>
          {labelled > 0
            ? `${countOf(labelled, 'request')} labelled`
            : 'No request labelled yet'}
        </Typography>
        <Button
          variant="outlined"
          color="primary"
          onClick={() => setAdding(true)}
        >
          Add labels
        </Button>
      </Box>
      <Box mt={1}>
        <Button size="small" onClick={() => setShowApi(shown => !shown)}>
          {showApi ? 'Hide the API call' : 'Label through the API'}
        </Button>
        <Collapse in={showApi}>
          <Typography variant="body2" color="textSecondary">
            {`With a Backstage token of a member of the monitor's team; at most ${countOf(
              LABELS_PER_CALL,
              'label',
            )} per call.`}
          </Typography>
          <CodeSnippet
            text={labelsCurlExample(baseUrl, monitor.id)}
            language="bash"
            showCopyCodeButton
          />
        </Collapse>
      </Box>
      <AddLabelsDialog
        monitorId={monitor.id}
        open={adding}
        onClose={() => setAdding(false)}
        onStored={props.onLabelsStored}
      />
    </InfoCard>
  );
}
