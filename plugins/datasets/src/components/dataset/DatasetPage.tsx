import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { DatasetVersionSummary } from '@internal/backstage-plugin-datasets-common';
import { formatBytes } from '@internal/mlops-react';
import { Grid, MenuItem, TextField, Typography } from '@material-ui/core';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { datasetsApiRef } from '../../api';
import { shortVersion } from '../format';
import { FilePreviewCard } from './FilePreviewCard';
import { FileStatisticsCard } from './FileStatisticsCard';
import { ImportCard } from './ImportCard';
import { UploadCard } from './UploadCard';
import { UsedByRunsCard } from './UsedByRunsCard';

const versionColumns: TableColumn<DatasetVersionSummary>[] = [
  {
    title: 'Version',
    field: 'version',
    render: v => <code>{shortVersion(v.version)}</code>,
  },
  { title: 'Files', field: 'fileCount' },
  {
    title: 'Size',
    field: 'totalBytes',
    render: v => formatBytes(v.totalBytes),
  },
  { title: 'Change', field: 'message' },
  { title: 'By', field: 'createdBy' },
  {
    title: 'Created',
    field: 'createdAt',
    render: v => new Date(v.createdAt).toLocaleString(),
  },
];

/**
 * One dataset: its versions, the training runs that used the chosen version, its files with
 * preview and statistics, upload.
 */
export function DatasetPage() {
  const api = useApi(datasetsApiRef);
  const { datasetId = '' } = useParams();
  const state = useAsyncRetry(async () => {
    const [dataset, versions] = await Promise.all([
      api.getDataset(datasetId),
      api.listVersions(datasetId),
    ]);
    return { dataset, versions: versions.items };
  }, [api, datasetId]);
  const [selected, setSelected] = useState<string>();
  const version = selected ?? state.value?.dataset.latestVersion;
  const files = useAsyncRetry(
    async () =>
      version ? (await api.getVersion(datasetId, version)).files : [],
    [api, datasetId, version],
  );
  const [path, setPath] = useState<string>();
  useEffect(() => {
    const paths = files.value?.map(f => f.path) ?? [];
    if (!path || !paths.includes(path)) setPath(paths[0]);
  }, [files.value, path]);

  if (state.loading && !state.value) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const { dataset, versions } = state.value!;

  return (
    <Content>
      <Typography variant="h5">{dataset.name}</Typography>
      <Typography color="textSecondary" gutterBottom>
        {dataset.owner} · {dataset.format ?? 'no files yet'}
        {dataset.description && ` · ${dataset.description}`}
      </Typography>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Table<DatasetVersionSummary>
            title="Versions"
            options={{ paging: false, search: false, padding: 'dense' }}
            columns={versionColumns}
            data={versions}
            onRowClick={(_e, row) => row && setSelected(row.version)}
            emptyContent={
              <div style={{ padding: 16 }}>No version yet: upload a file.</div>
            }
          />
        </Grid>
        {version && files.value && files.value.length > 0 && (
          <Grid item xs={12}>
            <InfoCard title={`Files of version ${shortVersion(version)}`}>
              <TextField
                select
                label="File"
                value={path ?? ''}
                onChange={e => setPath(e.target.value)}
                style={{ minWidth: 320 }}
              >
                {files.value.map(f => (
                  <MenuItem key={f.path} value={f.path}>
                    {f.path} ({formatBytes(f.size)})
                  </MenuItem>
                ))}
              </TextField>
            </InfoCard>
          </Grid>
        )}
        {version && (
          <Grid item xs={12}>
            <UsedByRunsCard datasetId={datasetId} version={version} />
          </Grid>
        )}
        {version && path && (
          <>
            <Grid item xs={12} md={6}>
              <FilePreviewCard
                datasetId={datasetId}
                version={version}
                path={path}
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <FileStatisticsCard
                datasetId={datasetId}
                version={version}
                path={path}
              />
            </Grid>
          </>
        )}
        <Grid item xs={12}>
          <ImportCard
            datasetId={datasetId}
            onImported={v => {
              setSelected(v.version);
              state.retry();
            }}
          />
        </Grid>
        <Grid item xs={12}>
          <UploadCard
            datasetId={datasetId}
            onUploaded={v => {
              setSelected(v.version);
              state.retry();
            }}
          />
        </Grid>
      </Grid>
    </Content>
  );
}
