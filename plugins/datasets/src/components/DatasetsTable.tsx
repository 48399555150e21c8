import { Table, TableColumn } from '@backstage/core-components';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { DatasetLink } from './DatasetLink';
import { shortVersion } from './format';

const columns: TableColumn<Dataset>[] = [
  { title: 'Dataset', field: 'name', render: d => <DatasetLink dataset={d} /> },
  { title: 'Owner', field: 'owner' },
  { title: 'Format', field: 'format', render: d => d.format ?? '—' },
  {
    title: 'Latest version',
    field: 'latestVersion',
    render: d => (d.latestVersion ? shortVersion(d.latestVersion) : '—'),
  },
  {
    title: 'Updated',
    field: 'updatedAt',
    render: d => new Date(d.updatedAt).toLocaleString(),
  },
  { title: 'Description', field: 'description' },
];

export function DatasetsTable(props: { datasets: Dataset[] }) {
  return (
    <Table<Dataset>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={columns}
      data={props.datasets}
      emptyContent={<div style={{ padding: 16 }}>No dataset yet.</div>}
    />
  );
}
