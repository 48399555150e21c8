import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { jobDuration } from '../../formatDuration';
import { JobProgress } from '../jobs/JobProgress';

function time(iso?: string) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** When the job ran, who owns it, and the model it registered. */
export function JobSummaryCard(props: { job: TrainingJob }) {
  const { job } = props;
  const metadata: Record<string, unknown> = {
    ...(job.state === 'RUNNING' && { Progress: <JobProgress job={job} /> }),
    Owner: job.owner,
    Project: job.project ?? '—',
    Created: time(job.createdAt),
    Started: time(job.startedAt),
    Finished: time(job.finishedAt),
    Duration: jobDuration(job) ?? '—',
    Attempts: job.attempts,
    'Registered model': job.registeredModel
      ? `${job.registeredModel.name} version ${job.registeredModel.version}`
      : '—',
  };
  return (
    <InfoCard title="Run">
      <StructuredMetadataTable
        dense
        metadata={metadata}
        options={{ titleFormat: key => key }}
      />
    </InfoCard>
  );
}
