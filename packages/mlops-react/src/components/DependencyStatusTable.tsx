import {
  StatusError,
  StatusOK,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  DependencyCheck,
  PluginStatus,
} from '@internal/backstage-plugin-mlops-common';

type Row = DependencyCheck & { id: string; pluginId: string };

const columns: TableColumn<Row>[] = [
  {
    title: 'Status',
    field: 'ok',
    width: '10%',
    render: row =>
      row.ok ? <StatusOK>up</StatusOK> : <StatusError>down</StatusError>,
  },
  { title: 'Dependency', field: 'name' },
  { title: 'Version', field: 'version', render: row => row.version ?? '—' },
  { title: 'Details', field: 'message' },
];

/**
 * One row per dependency of the given plugins, as their status routes reported them.
 *
 * @public
 */
export function DependencyStatusTable(props: {
  statuses: PluginStatus[];
  title?: string;
}) {
  const rows: Row[] = props.statuses.flatMap(status =>
    status.dependencies.map((check, index) => ({
      ...check,
      pluginId: status.pluginId,
      id: `${status.pluginId}-${index}`,
    })),
  );
  return (
    <Table<Row>
      title={props.title}
      options={{
        paging: false,
        search: false,
        toolbar: Boolean(props.title),
        padding: 'dense',
      }}
      columns={columns}
      data={rows}
    />
  );
}
