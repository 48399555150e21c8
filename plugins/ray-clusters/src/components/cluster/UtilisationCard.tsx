import { useApi } from '@backstage/frontend-plugin-api';
import { ChartsCard, ChartWindow } from '@internal/mlops-react';
import { useCallback } from 'react';
import { rayClustersMonitoringApiRef } from '../../api';

const EMPTY_TEXT =
  'Prometheus has no samples of this cluster in this time range: it was not running, or Prometheus does not scrape it (yet).';

/** CPU, memory and GPU use of the cluster's nodes over the chosen time range, from Prometheus. */
export function UtilisationCard(props: { clusterName: string }) {
  const api = useApi(rayClustersMonitoringApiRef);
  const { clusterName } = props;
  const load = useCallback(
    (window: ChartWindow) => api.getClusterCharts(clusterName, window),
    [api, clusterName],
  );
  return (
    <ChartsCard
      title="Utilisation"
      load={load}
      chartsPerRow={3}
      emptyText={EMPTY_TEXT}
    />
  );
}
