import { DriftedSample } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatShare } from '../formatValues';

const SIZE = 84;

function sampleDescription(sample: DriftedSample): string {
  return `predicted ${sample.predicted} at ${formatShare(
    sample.confidence,
  )} confidence`;
}

/** The window's least confident inputs (images), as the model saw them. */
export function DriftedSamplesGrid(props: { samples: DriftedSample[] }) {
  return (
    <figure aria-label="Least confident inputs" style={{ margin: 0 }}>
      <figcaption>
        <Typography variant="subtitle2">
          The window's least confident inputs
        </Typography>
      </figcaption>
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mt={1}>
        {props.samples.map(sample => (
          <Box key={sample.requestId} width={SIZE + 16} textAlign="center">
            {sample.image ? (
              <img
                src={sample.image}
                alt={`Input of request ${sample.requestId}, ${sampleDescription(
                  sample,
                )}`}
                width={SIZE}
                height={SIZE}
                style={{
                  imageRendering: 'pixelated',
                  border: '1px solid #ccc',
                }}
              />
            ) : (
              <Typography variant="caption" color="textSecondary">
                {`request ${sample.requestId}`}
              </Typography>
            )}
            <Typography variant="caption" display="block">
              {`${sample.predicted} · ${formatShare(sample.confidence)}`}
            </Typography>
          </Box>
        ))}
      </Box>
    </figure>
  );
}
