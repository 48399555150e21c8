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

/** Images smaller than this are scaled up (pixelated) to it; larger ones down to it. */
const THUMBNAIL_PX = 96;

function ImageGrid(props: {
  preview: Extract<FilePreview, { kind: 'images' }>;
}) {
  const { preview } = props;
  // Small images of one size (digits) are shown at twice their size, others as thumbnails.
  const small = preview.width > 0 && preview.width <= 64;
  return (
    <>
      {preview.caption && (
        <Typography variant="body2" color="textSecondary" gutterBottom>
          {preview.caption}
        </Typography>
      )}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        {preview.images.map(image => (
          <figure key={image.index} style={{ margin: 0, textAlign: 'center' }}>
            <img
              src={image.dataUrl}
              alt={`record ${image.index}${
                image.label !== undefined ? `, label ${image.label}` : ''
              }`}
              {...(small
                ? { width: Math.max(56, preview.width * 2) }
                : { height: THUMBNAIL_PX })}
              style={{
                imageRendering: small ? 'pixelated' : 'auto',
                border: '1px solid #8884',
                maxWidth: THUMBNAIL_PX * 2,
                objectFit: 'contain',
              }}
            />
            {image.label !== undefined && (
              <figcaption>
                <Typography variant="caption">{image.label}</Typography>
              </figcaption>
            )}
          </figure>
        ))}
      </div>
    </>
  );
}

function RowsTable(props: { columns: string[]; rows: string[][] }) {
  return (
    <div style={{ overflowX: 'auto' }}>
      <Table size="small">
        <TableHead>
          <TableRow>
            {props.columns.map(c => (
              <TableCell key={c}>{c}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {props.rows.map((row, i) => (
            <TableRow key={i}>
              {row.map((value, j) => (
                <TableCell key={j}>{value}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** Several tables, e.g. the 1-D and 2-D arrays of an .npz file, each under its name. */
function NamedTables(props: {
  preview: Extract<FilePreview, { kind: 'tables' }>;
}) {
  return (
    <>
      {props.preview.tables.map(table => (
        <section key={table.name} style={{ marginBottom: 16 }}>
          <Typography variant="subtitle2">{table.name}</Typography>
          <RowsTable columns={table.columns} rows={table.rows} />
        </section>
      ))}
    </>
  );
}

/**
 * The first records of a file: table rows (CSV, Parquet, the arrays of an .npz file), or an image
 * grid with labels (IDX, image arrays of an .npz file, image folders with their classes).
 */
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
      {value?.kind === 'table' && (
        <RowsTable columns={value.columns} rows={value.rows} />
      )}
      {value?.kind === 'tables' && <NamedTables preview={value} />}
      {value?.kind === 'other' && (
        <Typography>No preview for this file type.</Typography>
      )}
    </InfoCard>
  );
}
