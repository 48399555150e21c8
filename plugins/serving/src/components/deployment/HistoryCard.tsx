import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { DeploymentHistoryEntry } from '@internal/backstage-plugin-serving-common';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { servingApiRef } from '../../api';
import { apiErrorMessage } from '../apiErrorMessage';

/** The details of a change in a line: "weights: 3=80, 4=20; version: 4". */
export function describeDetails(details: Record<string, unknown>): string {
  const describe = (value: unknown): string => {
    if (value === null || value === undefined) return '—';
    if (Array.isArray(value)) return value.map(describe).join(', ');
    if (typeof value === 'object') {
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}=${describe(v)}`)
        .join(', ');
    }
    return String(value);
  };
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${describe(value)}`)
    .join('; ');
}

const columns: TableColumn<DeploymentHistoryEntry>[] = [
  { title: 'When', render: e => new Date(e.at).toLocaleString() },
  { title: 'Who', field: 'actor' },
  { title: 'What', field: 'action' },
  { title: 'Details', render: e => describeDetails(e.details) },
  { title: 'Why', render: e => e.reason ?? '—' },
];

/** Every change of the deployment, newest first; `version` changes to read it again. */
export function HistoryCard(props: { deploymentId: string; version: unknown }) {
  const api = useApi(servingApiRef);
  const history = useAsync(
    async () => (await api.getHistory(props.deploymentId)).items,
    [api, props.deploymentId, props.version],
  );
  return (
    <InfoCard title="History">
      {history.error && (
        <Alert severity="error">{apiErrorMessage(history.error)}</Alert>
      )}
      <Table<DeploymentHistoryEntry>
        options={{
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        isLoading={history.loading}
        columns={columns}
        data={history.value ?? []}
        emptyContent={<div style={{ padding: 16 }}>No change recorded.</div>}
      />
    </InfoCard>
  );
}
