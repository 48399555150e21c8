import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { jobRouteRef } from '../../routes';

/** The job's name, linking to its page where the experiments page is mounted. */
export function JobLink(props: { job: TrainingJob }) {
  const jobPath = useRouteRef(jobRouteRef);
  if (!jobPath) return <>{props.job.name}</>;
  return <Link to={jobPath({ jobId: props.job.id })}>{props.job.name}</Link>;
}
