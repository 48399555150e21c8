import { LinkButton } from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import LaunchIcon from '@material-ui/icons/Launch';

/** Buttons to the job's MLflow run and its Ray Dashboard page, where known. */
export function JobLinks(props: { job: TrainingJob }) {
  const { mlflowRun, rayDashboard } = props.job.links ?? {};
  return (
    <>
      {mlflowRun && (
        <LinkButton to={mlflowRun} variant="outlined" endIcon={<LaunchIcon />}>
          MLflow run
        </LinkButton>
      )}
      {rayDashboard && (
        <LinkButton
          to={rayDashboard}
          variant="outlined"
          endIcon={<LaunchIcon />}
        >
          Ray Dashboard
        </LinkButton>
      )}
    </>
  );
}
