import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { FilePreview } from '@internal/backstage-plugin-datasets-common';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { datasetsApiRef } from '../../api';

function ImageGrid(props: {
  preview: Extract<FilePreview, { kind: 'images' }>;
}) {
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
      {props.preview.images.map(image => (
        <figure key={image.index} style={{ margin: 0, textAlign: 'center' }}>
          <img
            src={image.dataUrl}
            alt={`record ${image.index}${
              image.label !== undefined ? `, label ${image.label}` : ''
            }`}
            width={Math.max(56, props.preview.width * 2)}
            style={{ imageRendering: 'pixelated', border: '1px solid #8884' }}
          />
          {image.label !== undefined && (
            <figcaption>
              <Typography variant="caption">{image.label}</Typography>
            </figcaption>
          )}
        </figure>
      ))}
    </div>
  );
}

function RowsTable(props: {
  preview: Extract<FilePreview, { kind: 'table' }>;
}) {
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          {props.preview.columns.map(c => (
            <TableCell key={c}>{c}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.preview.rows.map((row, i) => (
          <TableRow key={i}>
            {row.map((value, j) => (
              <TableCell key={j}>{value}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The first records of a file: table rows, or an image grid with labels. */
export function FilePreviewCard(props: {
  datasetId: string;
  version: string;
  path: string;
}) {
  const api = useApi(datasetsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getPreview(props.datasetId, props.version, props.path),
    [api, props.datasetId, props.version, props.path],
  );
  return (
    <InfoCard title={`Preview of ${props.path}`}>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.kind === 'images' && <ImageGrid preview={value} />}
      {value?.kind === 'table' && <RowsTable preview={value} />}
      {value?.kind === 'other' && (
        <Typography>No preview for this file type.</Typography>
      )}
    </InfoCard>
  );
}
