import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { MlopsApiClient } from '@internal/backstage-plugin-mlops-common';
import { DependencyStatusTable } from '@internal/mlops-react';
import useAsync from 'react-use/esm/useAsync';

const MLOPS_PLUGINS = [
  'ray-clusters',
  'experiments',
  'datasets',
  'serving',
  'drift',
];

export function PlatformStatusWidget() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const { value, loading, error } = useAsync(async () => {
    return Promise.all(
      MLOPS_PLUGINS.map(pluginId =>
        new MlopsApiClient(pluginId, { discoveryApi, fetchApi }).getStatus(),
      ),
    );
  }, [discoveryApi, fetchApi]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return <DependencyStatusTable statuses={value ?? []} />;
}
