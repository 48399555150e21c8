import { Table, TableColumn } from '@backstage/core-components';
import { CustomModel } from '@internal/backstage-plugin-experiments-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatParameterCount } from './format';
import { TrainLink } from './TrainLink';
import { VersionSourceButton } from './VersionSourceButton';

function Versions(props: { model: CustomModel }) {
  const { name, versions } = props.model;
  return (
    <>
      {versions.map(v => (
        <Box key={v.version} display="flex" alignItems="center">
          <Typography variant="body2" style={{ whiteSpace: 'nowrap' }}>
            v{v.version}: {formatParameterCount(v.parameterCount)} parameters,{' '}
            {v.createdBy}, {new Date(v.createdAt).toLocaleString()}
          </Typography>
          <VersionSourceButton version={v} />
          <TrainLink
            version={v}
            size="small"
            color="primary"
            aria-label={`Train ${name} v${v.version}`}
          >
            Train
          </TrainLink>
        </Box>
      ))}
    </>
  );
}

const columns: TableColumn<CustomModel>[] = [
  { title: 'Name', field: 'name' },
  { title: 'Owner', field: 'owner' },
  {
    title: 'Latest version',
    render: model =>
      model.versions[0] ? `v${model.versions[0].version}` : '—',
  },
  {
    title: 'Parameters',
    render: model =>
      model.versions[0]
        ? formatParameterCount(model.versions[0].parameterCount)
        : '—',
  },
  { title: 'Created by', field: 'createdBy' },
  {
    title: 'Created',
    field: 'createdAt',
    render: model => new Date(model.createdAt).toLocaleString(),
  },
  {
    title: 'Description',
    field: 'description',
    render: model => model.description || '—',
  },
  { title: 'Versions', render: model => <Versions model={model} /> },
];

/** The team's custom models, each with every version: its source and a way to train it. */
export function CustomModelsTable(props: { models: CustomModel[] }) {
  return (
    <Table<CustomModel>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={columns}
      data={props.models}
      emptyContent={
        <div style={{ padding: 16 }}>
          No custom models yet: upload one below.
        </div>
      }
    />
  );
}
