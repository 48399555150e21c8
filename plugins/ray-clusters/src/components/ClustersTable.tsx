import { Link, Table, TableColumn } from '@backstage/core-components';
import { formatBytes } from '@internal/mlops-react';
import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import { ClusterLink } from './ClusterLink';
import { ClusterStateIcon } from './ClusterStateIcon';

const columns: TableColumn<RayCluster>[] = [
  {
    title: 'Cluster',
    field: 'title',
    render: c => (
      <span style={{ whiteSpace: 'nowrap' }}>
        <ClusterStateIcon state={c.state} />
        <ClusterLink cluster={c} />
      </span>
    ),
  },
  { title: 'Owner', field: 'owner' },
  { title: 'Driver', field: 'driver' },
  { title: 'Ray', field: 'rayVersion', render: c => c.rayVersion ?? '—' },
  { title: 'Nodes', render: c => c.resources?.nodes ?? '—' },
  { title: 'CPUs', render: c => c.resources?.cpus ?? '—' },
  {
    title: 'GPUs',
    render: c =>
      c.resources
        ? `${c.resources.gpus}${
            c.resources.gpuTypes.length
              ? ` (${c.resources.gpuTypes.join(', ')})`
              : ''
          }`
        : '—',
  },
  {
    title: 'Memory',
    render: c => (c.resources ? formatBytes(c.resources.memoryBytes) : '—'),
  },
  { title: 'State', field: 'message' },
  {
    title: 'Dashboard',
    render: c =>
      c.dashboardUrl && c.state === 'ready' ? (
        <Link to={c.dashboardUrl}>Ray Dashboard</Link>
      ) : (
        '—'
      ),
  },
];

export function ClustersTable(props: {
  clusters: RayCluster[];
  compact?: boolean;
}) {
  const shown = props.compact
    ? columns.filter(c =>
        ['Cluster', 'CPUs', 'GPUs', 'Dashboard'].includes(String(c.title)),
      )
    : columns;
  return (
    <Table<RayCluster>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={shown}
      data={props.clusters}
      emptyContent={
        <div style={{ padding: 16 }}>
          No Ray cluster is available to your team yet.
        </div>
      }
    />
  );
}
