import { useApi } from '@backstage/frontend-plugin-api';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { servingApiRef } from '../../api';

const POLL_MS = 3000;

/**
 * The deployment, read again every few seconds while Ray Serve is still deploying or deleting
 * it; `replace` shows the answer of an action without another read.
 */
export function useDeployment(id: string) {
  const api = useApi(servingApiRef);
  const loaded = useAsyncRetry(() => api.getDeployment(id), [api, id]);
  const [latest, setLatest] = useState<ModelDeploymentDetails>();
  useEffect(() => setLatest(loaded.value), [loaded.value]);
  const { retry } = loaded;
  const settling =
    latest?.state === 'DEPLOYING' || latest?.state === 'DELETING';
  useEffect(() => {
    if (!settling) return undefined;
    const timer = setTimeout(retry, POLL_MS);
    return () => clearTimeout(timer);
  }, [settling, latest, retry]);
  return {
    deployment: latest,
    loading: loaded.loading && !latest,
    error: latest ? undefined : loaded.error,
    replace: setLatest,
  };
}
