import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { RayCluster } from '@internal/backstage-plugin-ray-clusters-common';
import { clusterRouteRef } from '../routes';

/** The cluster's title, linking to its page where the clusters page is mounted. */
export function ClusterLink(props: { cluster: RayCluster }) {
  const clusterPath = useRouteRef(clusterRouteRef);
  if (!clusterPath) return <>{props.cluster.title}</>;
  return (
    <Link to={clusterPath({ clusterName: props.cluster.name })}>
      {props.cluster.title}
    </Link>
  );
}
