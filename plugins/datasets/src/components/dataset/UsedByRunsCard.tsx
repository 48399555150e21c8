import {
  Link,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import {
  ExperimentsClient,
  TrainingJob,
  TrainingJobState,
} from '@internal/backstage-plugin-experiments-common';
import { FormControlLabel, Switch } from '@material-ui/core';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { trainingJobRouteRef } from '../../routes';
import { shortVersion } from '../format';

/** Runs listed at most: the newest first. */
const MAX_RUNS = 100;

const STATUS: Record<TrainingJobState, typeof StatusOK> = {
  QUEUED: StatusPending,
  STARTING: StatusRunning,
  RUNNING: StatusRunning,
  SUCCEEDED: StatusOK,
  FAILED: StatusError,
  CANCELLING: StatusAborted,
  CANCELLED: StatusAborted,
};

function RunLink(props: { job: TrainingJob }) {
  const jobPath = useRouteRef(trainingJobRouteRef);
  if (!jobPath) return <>{props.job.name}</>;
  return <Link to={jobPath({ jobId: props.job.id })}>{props.job.name}</Link>;
}

/**
 * Lineage: the training runs (of the experiments plugin) that used this dataset version, or any
 * version of the dataset, newest first.
 */
export function UsedByRunsCard(props: { datasetId: string; version: string }) {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const experiments = useMemo(
    () => new ExperimentsClient({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
  const [allVersions, setAllVersions] = useState(false);
  const { datasetId, version } = props;
  const runs = useAsyncRetry(
    async () =>
      (
        await experiments.listJobs(MAX_RUNS, {
          datasetId,
          datasetVersion: allVersions ? undefined : version,
        })
      ).items,
    [experiments, datasetId, version, allVersions],
  );

  const columns: TableColumn<TrainingJob>[] = [
    { title: 'Run', field: 'name', render: job => <RunLink job={job} /> },
    {
      title: 'State',
      field: 'state',
      render: job => {
        const Status = STATUS[job.state];
        return <Status>{job.state}</Status>;
      },
    },
    {
      title: 'Template',
      render: job => `${job.config.template.id} ${job.config.template.version}`,
    },
    ...(allVersions
      ? [
          {
            title: 'Version',
            render: (job: TrainingJob) => (
              <code>{shortVersion(job.config.dataset.version)}</code>
            ),
          },
        ]
      : []),
    { title: 'Owner', field: 'owner' },
    {
      title: 'Submitted',
      field: 'createdAt',
      render: job => new Date(job.createdAt).toLocaleString(),
    },
  ];

  const toggle = (
    <FormControlLabel
      control={
        <Switch
          checked={allVersions}
          onChange={e => setAllVersions(e.target.checked)}
          color="primary"
        />
      }
      label="Runs of all versions"
    />
  );
  if (runs.error) {
    return (
      <>
        {toggle}
        <ResponseErrorPanel error={runs.error} />
      </>
    );
  }
  return (
    <>
      {toggle}
      <Table<TrainingJob>
        title="Used by runs"
        subtitle={
          allVersions
            ? 'Training runs on any version of this dataset'
            : `Training runs on version ${shortVersion(version)}`
        }
        isLoading={runs.loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={runs.value ?? []}
        emptyContent={
          <div style={{ padding: 16 }}>
            {allVersions
              ? 'No training run has used this dataset yet.'
              : 'No training run has used this version yet.'}
          </div>
        }
      />
    </>
  );
}
