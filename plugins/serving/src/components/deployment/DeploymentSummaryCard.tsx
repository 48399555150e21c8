import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { DeploymentStateChip } from '../DeploymentStateChip';

function describeScaling(d: ModelDeploymentDetails): string {
  const auto = d.scaling.autoscaling;
  if (auto) {
    return `autoscaling ${auto.minReplicas}–${auto.maxReplicas} replicas${
      auto.targetOngoingRequests
        ? `, ${auto.targetOngoingRequests} ongoing requests each`
        : ''
    }`;
  }
  return `${d.scaling.replicas ?? 1} replica(s)`;
}

export function DeploymentSummaryCard(props: {
  deployment: ModelDeploymentDetails;
}) {
  const d = props.deployment;
  return (
    <InfoCard title="Deployment">
      {d.state === 'DEPLOYING' && (
        <>
          <LinearProgress aria-label="Ray Serve is deploying the model" />
          <Typography variant="body2" color="textSecondary" gutterBottom>
            Ray Serve is starting the replicas and loading the model; this page
            follows it.
          </Typography>
        </>
      )}
      {d.state === 'UNHEALTHY' && d.message && (
        <Alert severity="error">{d.message}</Alert>
      )}
      <StructuredMetadataTable
        metadata={{
          state: <DeploymentStateChip deployment={d} />,
          'Ray Serve says': d.message ?? '—',
          endpoint: d.endpoint ?? 'not yet known',
          model: `${d.modelName}, champion v${d.modelVersion}`,
          cluster: d.cluster,
          scaling: describeScaling(d),
          'per replica': `${d.resources.cpus} CPU, ${d.resources.gpus} GPU`,
          owner: d.owner,
          'created by': `${d.createdBy}, ${new Date(
            d.createdAt,
          ).toLocaleString()}`,
        }}
      />
    </InfoCard>
  );
}
