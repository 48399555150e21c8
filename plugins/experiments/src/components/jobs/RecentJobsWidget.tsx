import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useJobs } from '../../hooks/useJobs';
import { JobsTable } from './JobsTable';

export function RecentJobsWidget() {
  const { value, loading, error } = useJobs(5);
  if (error) return <ResponseErrorPanel error={error} />;
  if (loading && !value) return <Progress />;
  return <JobsTable jobs={value ?? []} compact />;
}
