import {
  Link,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  ModelDeployment,
  ModelDeploymentState,
} from '@internal/backstage-plugin-serving-common';

const STATUS_ICONS: Record<ModelDeploymentState, typeof StatusOK> = {
  DEPLOYING: StatusPending,
  HEALTHY: StatusOK,
  UNHEALTHY: StatusError,
  DELETING: StatusAborted,
};

function DeploymentState(props: { deployment: ModelDeployment }) {
  const Icon = STATUS_ICONS[props.deployment.state];
  return <Icon>{props.deployment.state}</Icon>;
}

const columns: TableColumn<ModelDeployment>[] = [
  { title: 'Name', field: 'name' },
  {
    title: 'Model',
    field: 'modelName',
    render: d => `${d.modelName} v${d.modelVersion}`,
  },
  {
    title: 'State',
    field: 'state',
    render: d => <DeploymentState deployment={d} />,
  },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Owner', field: 'owner' },
  {
    title: 'Endpoint',
    field: 'endpoint',
    render: d => (d.endpoint ? <Link to={d.endpoint}>{d.endpoint}</Link> : '—'),
  },
];

export function DeploymentsTable(props: {
  deployments: ModelDeployment[];
  compact?: boolean;
}) {
  const shown = props.compact
    ? columns.filter(c => ['Model', 'State'].includes(String(c.title)))
    : columns;
  return (
    <Table<ModelDeployment>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={shown}
      data={props.deployments}
      emptyContent={
        <div style={{ padding: 16 }}>No model is deployed yet.</div>
      }
    />
  );
}
