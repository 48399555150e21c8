import {
  StatusError,
  StatusOK,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  DriftMonitor,
  DriftResult,
} from '@internal/backstage-plugin-drift-common';

const resultLabels: Record<DriftResult, JSX.Element> = {
  NO_DRIFT: <StatusOK>no drift</StatusOK>,
  DRIFT: <StatusWarning>drift</StatusWarning>,
  ERROR: <StatusError>check failed</StatusError>,
};

const columns: TableColumn<DriftMonitor>[] = [
  { title: 'Monitor', field: 'name' },
  { title: 'Owner', field: 'owner' },
  { title: 'Deployment', field: 'deployment' },
  {
    title: 'Schedule',
    field: 'schedule',
    render: m => m.schedule ?? 'on demand',
  },
  {
    title: 'Last check',
    field: 'lastCheckAt',
    render: m =>
      m.lastCheckAt ? new Date(m.lastCheckAt).toLocaleString() : 'never',
  },
  {
    title: 'Result',
    field: 'lastResult',
    render: m => (m.lastResult ? resultLabels[m.lastResult] : '—'),
  },
];

export function MonitorsTable(props: { monitors: DriftMonitor[] }) {
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
      emptyContent={<div style={{ padding: 16 }}>No drift monitor yet.</div>}
    />
  );
}
