import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { JobsTable } from './JobsTable';
import { useJobs } from './useJobs';

export function RecentJobsWidget() {
  const { value, loading, error } = useJobs(5);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return <JobsTable jobs={value ?? []} compact />;
}
