import {
  Content,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  RayJobSummary,
  RayNode,
} from '@internal/backstage-plugin-ray-clusters-common';
import { formatBytes } from '@internal/mlops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rayClustersApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { ClusterStateIcon } from '../ClusterStateIcon';
import { DeleteDialog } from './DeleteDialog';
import { ResourceUsage } from './ResourceUsage';
import { ScaleDialog } from './ScaleDialog';
import { UtilisationCard } from './UtilisationCard';

const nodeColumns: TableColumn<RayNode>[] = [
  { title: 'Node', render: n => `${n.nodeId.slice(0, 12)}…` },
  { title: 'Address', field: 'ip' },
  { title: 'Role', render: n => (n.isHead ? 'head' : 'worker') },
  { title: 'State', field: 'state' },
  { title: 'CPUs', field: 'cpus' },
  {
    title: 'GPUs',
    render: n => (n.gpuType ? `${n.gpus} (${n.gpuType})` : n.gpus),
  },
  { title: 'Memory', render: n => formatBytes(n.memoryBytes) },
  { title: 'Object store', render: n => formatBytes(n.objectStoreBytes) },
];

const jobColumns: TableColumn<RayJobSummary>[] = [
  { title: 'Submission', render: j => j.submissionId ?? j.jobId ?? '—' },
  { title: 'Status', field: 'status' },
  { title: 'Entrypoint', field: 'entrypoint' },
  {
    title: 'Started',
    render: j => (j.startTime ? new Date(j.startTime).toLocaleString() : '—'),
  },
];

const tableOptions = {
  paging: false,
  search: false,
  toolbar: false,
  padding: 'dense' as const,
};

/**
 * One cluster: state, resources with usage and utilisation over time, nodes, jobs, Ray Dashboard
 * link; scale and delete.
 */
export function ClusterPage() {
  const { clusterName = '' } = useParams();
  const api = useApi(rayClustersApiRef);
  const navigate = useNavigate();
  const clustersPath = useRouteRef(rootRouteRef);
  const cluster = useAsyncRetry(
    () => api.getCluster(clusterName),
    [api, clusterName],
  );
  const [dialog, setDialog] = useState<'scale' | 'delete'>();
  const [starting, setStarting] = useState(false);

  if (cluster.loading && !cluster.value) return <Progress />;
  if (cluster.error) {
    return (
      <Content>
        <ResponseErrorPanel error={cluster.error} />
      </Content>
    );
  }
  const c = cluster.value!;
  const editable = c.source === 'portal';
  return (
    <Content>
      <Box display="flex" alignItems="center" mb={2}>
        <Typography variant="h5" style={{ flexGrow: 1 }}>
          <ClusterStateIcon state={c.state} />
          {c.title}
        </Typography>
        {c.dashboardUrl && c.state === 'ready' && (
          <Box mr={2}>
            <Link to={c.dashboardUrl}>Ray Dashboard</Link>
          </Box>
        )}
        {editable && (
          <>
            {(c.state === 'stopped' || c.state === 'failed') && (
              <Button
                disabled={starting}
                onClick={async () => {
                  setStarting(true);
                  try {
                    await api.startCluster(c.name);
                  } finally {
                    setStarting(false);
                    cluster.retry();
                  }
                }}
              >
                Start
              </Button>
            )}
            <Button onClick={() => setDialog('scale')}>Scale</Button>
            <Button color="secondary" onClick={() => setDialog('delete')}>
              Delete
            </Button>
          </>
        )}
      </Box>
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <InfoCard title="Cluster">
            <Typography variant="body2">Owner: {c.owner}</Typography>
            <Typography variant="body2">Driver: {c.driver}</Typography>
            <Typography variant="body2">State: {c.message}</Typography>
            {c.spec && (
              <Typography variant="body2">
                Size: {c.spec.cpus} CPU, {c.spec.gpus} GPU
                {c.spec.memoryBytes
                  ? `, ${formatBytes(c.spec.memoryBytes)} memory`
                  : ''}
                {c.spec.idleTimeoutSeconds
                  ? `; stops after ${c.spec.idleTimeoutSeconds} s idle`
                  : ''}
              </Typography>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={7}>
          <InfoCard title="Resources">
            {c.resources ? (
              <ResourceUsage resources={c.resources} />
            ) : (
              <Typography variant="body2">
                No resources while the cluster is {c.state}.
              </Typography>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <UtilisationCard clusterName={c.name} />
        </Grid>
        <Grid item xs={12}>
          <Table<RayNode>
            title="Nodes"
            options={tableOptions}
            columns={nodeColumns}
            data={c.nodes}
          />
        </Grid>
        <Grid item xs={12}>
          <Table<RayJobSummary>
            title="Jobs"
            options={tableOptions}
            columns={jobColumns}
            data={c.jobs}
            emptyContent={
              <div style={{ padding: 16 }}>No job has run here yet.</div>
            }
          />
        </Grid>
      </Grid>
      {dialog === 'scale' && (
        <ScaleDialog
          cluster={c}
          onClose={() => setDialog(undefined)}
          onScaled={() => {
            setDialog(undefined);
            cluster.retry();
          }}
        />
      )}
      {dialog === 'delete' && (
        <DeleteDialog
          cluster={c}
          onClose={() => setDialog(undefined)}
          onDeleted={() => navigate(clustersPath?.() ?? '..')}
        />
      )}
    </Content>
  );
}
