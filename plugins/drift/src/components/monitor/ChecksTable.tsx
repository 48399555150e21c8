import { Table, TableColumn } from '@backstage/core-components';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import { useTheme } from '@material-ui/core/styles';
import { CheckOutcomeChip } from '../CheckOutcomeChip';
import { checkDuration, formatShare } from '../formatValues';

const columns: TableColumn<DriftCheck>[] = [
  {
    title: 'Started',
    render: c => new Date(c.startedAt).toLocaleString(),
  },
  { title: 'Trigger', field: 'trigger' },
  {
    title: 'By',
    render: c =>
      c.requestedBy ?? (c.trigger === 'schedule' ? 'the schedule' : '—'),
  },
  { title: 'Verdict', render: c => <CheckOutcomeChip check={c} /> },
  { title: 'Drift score', render: c => formatShare(c.driftScore) },
  { title: 'Est. acc.', render: c => formatShare(c.estimatedAccuracy) },
  { title: 'Real acc.', render: c => formatShare(c.realAccuracy) },
  { title: 'Duration', render: c => checkDuration(c) },
];

/** The monitor's checks, newest first; clicking one shows its report. */
export function ChecksTable(props: {
  checks: DriftCheck[];
  loading: boolean;
  selectedCheckId?: string;
  onSelect: (checkId: string) => void;
}) {
  const theme = useTheme();
  return (
    <Table<DriftCheck>
      title="Checks"
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        rowStyle: (check: DriftCheck) =>
          check.id === props.selectedCheckId
            ? { backgroundColor: theme.palette.action.selected }
            : {},
      }}
      isLoading={props.loading}
      columns={columns}
      data={props.checks}
      onRowClick={(_event, check) => check && props.onSelect(check.id)}
      emptyContent={
        <div style={{ padding: 16 }}>No check yet: press “Run check now”.</div>
      }
    />
  );
}
