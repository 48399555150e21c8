import { LinkButton } from '@backstage/core-components';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import Tooltip from '@material-ui/core/Tooltip';
import CloudUploadIcon from '@material-ui/icons/CloudUpload';
import LaunchIcon from '@material-ui/icons/Launch';

/** What the MLflow link asks for: MLflow's own sign-in, which only the portal's admins hold. */
export const MLFLOW_LINK_HINT =
  "MLflow asks for its own sign-in (the portal's admin account). The run's curves, metrics and model are on this page.";

/** The Serving page's deploy dialog, filled in with a registered model version. */
export function deployLink(model: { name: string; version: string }) {
  const query = new URLSearchParams({
    deploy: model.name,
    version: model.version,
  });
  return `/serving?${query}`;
}

/**
 * Buttons to deploy the job's registered model, and to its MLflow run and Ray Dashboard page,
 * where known.
 */
export function JobLinks(props: { job: TrainingJob }) {
  const { mlflowRun, rayDashboard } = props.job.links ?? {};
  const model = props.job.registeredModel;
  return (
    <>
      {model && (
        <LinkButton
          to={deployLink(model)}
          variant="contained"
          color="primary"
          startIcon={<CloudUploadIcon />}
        >
          Deploy
        </LinkButton>
      )}
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
