import {
  InfoCard,
  Link,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { DriftMonitor } from '@internal/backstage-plugin-drift-common';
import { describeSchedule, describeWindow } from '../monitorDescriptions';
import { servingDeploymentRouteRef } from '../../routes';

/** What the monitor watches and how: deployment, model, window, schedule, α, owner. */
export function MonitorFactsCard(props: { monitor: DriftMonitor }) {
  const m = props.monitor;
  const deploymentPath = useRouteRef(servingDeploymentRouteRef);
  const deploymentLink = deploymentPath?.({ id: m.deploymentId });
  return (
    <InfoCard title="Monitor">
      <StructuredMetadataTable
        metadata={{
          deployment: deploymentLink ? (
            <Link to={deploymentLink}>{m.deploymentName}</Link>
          ) : (
            m.deploymentName
          ),
          model: m.modelName,
          cluster: m.cluster,
          window: describeWindow(m.window),
          schedule: describeSchedule(m),
          'significance level': `α = ${m.alpha}`,
          owner: m.owner,
          'created by': `${m.createdBy}, ${new Date(
            m.createdAt,
          ).toLocaleString()}`,
        }}
      />
    </InfoCard>
  );
}
