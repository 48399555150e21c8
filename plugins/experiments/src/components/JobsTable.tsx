import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  TrainingJob,
  TrainingJobState,
} from '@internal/backstage-plugin-experiments-common';

const STATUS_ICONS: Record<TrainingJobState, typeof StatusOK> = {
  QUEUED: StatusPending,
  STARTING: StatusPending,
  RUNNING: StatusRunning,
  SUCCEEDED: StatusOK,
  FAILED: StatusError,
  CANCELLING: StatusAborted,
  CANCELLED: StatusAborted,
};

function JobState(props: { job: TrainingJob }) {
  const Icon = STATUS_ICONS[props.job.state];
  return (
    <Icon>
      {props.job.state}
      {props.job.reason && `: ${props.job.reason}`}
    </Icon>
  );
}

const columns: TableColumn<TrainingJob>[] = [
  { title: 'Name', field: 'name' },
  { title: 'State', field: 'state', render: job => <JobState job={job} /> },
  { title: 'Owner', field: 'owner' },
  { title: 'Project', field: 'project', render: job => job.project ?? '—' },
  {
    title: 'Created',
    field: 'createdAt',
    render: job => new Date(job.createdAt).toLocaleString(),
  },
];

export function JobsTable(props: { jobs: TrainingJob[]; compact?: boolean }) {
  const shown = props.compact
    ? columns.filter(c => ['Name', 'State'].includes(String(c.title)))
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
