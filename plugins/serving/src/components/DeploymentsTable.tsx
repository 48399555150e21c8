import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import Typography from '@material-ui/core/Typography';
import { deploymentRouteRef } from '../routes';
import { DeploymentStateChip } from './DeploymentStateChip';
import { describeWeights } from './versionWeights';

/** A listed deployment, with its versions and weights. */
export type DeploymentRow = ModelDeployment;

export function DeploymentsTable(props: {
  deployments: DeploymentRow[];
  compact?: boolean;
}) {
  const deploymentPath = useRouteRef(deploymentRouteRef);
  const linkTo = (d: DeploymentRow) => deploymentPath?.({ id: d.id });

  const columns: TableColumn<DeploymentRow>[] = [
    {
      title: 'Name',
      field: 'name',
      render: d => {
        const to = linkTo(d);
        return to ? <Link to={to}>{d.name}</Link> : d.name;
      },
    },
    {
      title: 'Model',
      field: 'modelName',
      render: d => (
        <>
          <Typography variant="body2">{d.modelName}</Typography>
          <Typography variant="caption" color="textSecondary">
            {describeWeights(d.modelVersion, d.versions)}
          </Typography>
        </>
      ),
    },
    { title: 'Cluster', field: 'cluster' },
    {
      title: 'State',
      field: 'state',
      render: d => <DeploymentStateChip deployment={d} />,
    },
    {
      title: 'Endpoint',
      field: 'endpoint',
      render: d =>
        d.endpoint ? <Link to={d.endpoint}>{d.endpoint}</Link> : '—',
    },
    {
      title: 'Updated',
      field: 'updatedAt',
      render: d => new Date(d.updatedAt).toLocaleString(),
    },
  ];
  const shown = props.compact
    ? columns.filter(c => ['Model', 'State'].includes(String(c.title)))
    : columns;
  return (
    <Table<DeploymentRow>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={shown}
      data={props.deployments}
      emptyContent={
        <div style={{ padding: 16 }}>
          <Typography variant="body1">No model is deployed yet.</Typography>
          {!props.compact && (
            <Typography variant="body2" color="textSecondary">
              Press “Deploy a model”, name a registered model version (from a
              finished training run in Experiments) and a Ray cluster of your
              team: it becomes an inference API with its own keys.
            </Typography>
          )}
        </div>
      }
    />
  );
}
