import { useApi } from '@backstage/frontend-plugin-api';
import { ChartsCard, ChartWindow } from '@internal/mlops-react';
import { useCallback } from 'react';
import { homeMonitoringApiRef } from './monitoringApi';

const EMPTY_TEXT =
  'Prometheus has no samples of this in the time range yet: nothing ran, or it does not scrape the portal yet.';

/**
 * Jobs, queue age, inference traffic and Ray nodes of the whole platform, from Prometheus. The
 * widget's card has the title.
 */
export function PlatformHealthWidget() {
  const api = useApi(homeMonitoringApiRef);
  const load = useCallback(
    (window: ChartWindow) => api.getPlatformCharts(window),
    [api],
  );
  return (
    <ChartsCard
      title="Platform health"
      load={load}
      chartsPerRow={2}
      bare
      emptyText={EMPTY_TEXT}
    />
  );
}
