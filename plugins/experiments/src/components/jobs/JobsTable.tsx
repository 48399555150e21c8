import { Table, TableColumn } from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Typography from '@material-ui/core/Typography';
import { jobDuration } from '../../formatDuration';
import { JobLink } from './JobLink';
import { JobProgress } from './JobProgress';
import { JobStateChip } from './JobStateChip';

const columns: TableColumn<TrainingJob>[] = [
  { title: 'Name', field: 'name', render: job => <JobLink job={job} /> },
  {
    title: 'State',
    field: 'state',
    render: job => (
      <>
        <JobStateChip state={job.state} />
        {job.reason && (
          <Typography variant="caption" display="block">
            {job.reason}
          </Typography>
        )}
      </>
    ),
  },
  { title: 'Progress', render: job => <JobProgress job={job} /> },
  { title: 'Owner', field: 'owner' },
  { title: 'Project', field: 'project', render: job => job.project ?? '—' },
  {
    title: 'Created',
    field: 'createdAt',
    render: job => new Date(job.createdAt).toLocaleString(),
  },
  { title: 'Duration', render: job => jobDuration(job) ?? '—' },
];

const COMPACT_COLUMNS = ['Name', 'State', 'Progress'];

export function JobsTable(props: { jobs: TrainingJob[]; compact?: boolean }) {
  const shown = props.compact
    ? columns.filter(c => COMPACT_COLUMNS.includes(String(c.title)))
    : columns;
  return (
    <Table<TrainingJob>
      options={{
        paging: false,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
      columns={shown}
      data={props.jobs}
      emptyContent={<div style={{ padding: 16 }}>No training runs yet.</div>}
    />
  );
}
