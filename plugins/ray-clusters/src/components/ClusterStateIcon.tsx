import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import { RayClusterState } from '@internal/backstage-plugin-ray-clusters-common';

export function ClusterStateIcon(props: { state: RayClusterState }) {
  switch (props.state) {
    case 'ready':
      return <StatusOK />;
    case 'starting':
      return <StatusPending />;
    case 'stopped':
      return <StatusAborted />;
    default:
      return <StatusError />;
  }
}
