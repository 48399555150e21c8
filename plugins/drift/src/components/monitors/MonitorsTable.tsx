import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import Typography from '@material-ui/core/Typography';
import { formatShare } from '../formatValues';
import { describeSchedule, describeWindow } from '../monitorDescriptions';
import { monitorRouteRef } from '../../routes';
import { LastCheckCell } from './LastCheckCell';

export function MonitorsTable(props: { monitors: DriftMonitor[] }) {
  const monitorPath = useRouteRef(monitorRouteRef);
  const columns: TableColumn<DriftMonitor>[] = [
    {
      title: 'Monitor',
      field: 'name',
      render: m => {
        const to = monitorPath?.({ id: m.id });
        return to ? <Link to={to}>{m.name}</Link> : m.name;
      },
    },
    { title: 'Deployment', field: 'deploymentName' },
    { title: 'Model', field: 'modelName' },
    { title: 'Window', render: m => describeWindow(m.window) },
    { title: 'Schedule', render: m => describeSchedule(m) },
    { title: 'Last check', render: m => <LastCheckCell monitor={m} /> },
    {
      title: 'Est. acc.',
      render: m => formatShare(m.lastCheck?.estimatedAccuracy),
    },
    {
      title: 'Real acc.',
      render: m => formatShare(m.lastCheck?.realAccuracy),
    },
  ];
  return (
    <Table<DriftMonitor>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={columns}
      data={props.monitors}
      emptyContent={
        <div style={{ padding: 16 }}>
          <Typography variant="body1">No drift monitor yet.</Typography>
          <Typography variant="body2" color="textSecondary">
            A drift monitor compares the requests a deployed model answers with
            the data its version was trained on, on a schedule or when you ask,
            and tells when they no longer look alike: the model may then be
            wrong more often than its test accuracy says. Press “New monitor”
            and pick a deployment of your team; the model must be deployed on
            the Serving page first.
          </Typography>
        </div>
      }
    />
  );
}
