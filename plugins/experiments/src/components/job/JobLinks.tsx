import { LinkButton } from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Tooltip from '@material-ui/core/Tooltip';
import LaunchIcon from '@material-ui/icons/Launch';

/** What the MLflow link asks for: MLflow's own sign-in, which only the portal's admins hold. */
export const MLFLOW_LINK_HINT =
  "MLflow asks for its own sign-in (the portal's admin account). The run's curves, metrics and model are on this page.";

/** Buttons to the job's MLflow run and its Ray Dashboard page, where known. */
export function JobLinks(props: { job: TrainingJob }) {
  const { mlflowRun, rayDashboard } = props.job.links ?? {};
  return (
    <>
      {mlflowRun && (
        <Tooltip title={MLFLOW_LINK_HINT}>
          <span>
            <LinkButton
              to={mlflowRun}
              variant="outlined"
              endIcon={<LaunchIcon />}
            >
              MLflow run
            </LinkButton>
          </span>
        </Tooltip>
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
