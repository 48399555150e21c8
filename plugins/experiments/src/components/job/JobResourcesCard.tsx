import { useApi } from '@backstage/frontend-plugin-api';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { ChartsCard, DEFAULT_CHART_REFRESH_MS } from '@internal/mlops-react';
import { useCallback } from 'react';
import { experimentsMonitoringApiRef } from '../../api';
import { isTerminal } from '../../hooks/useJobs';

function emptyText(job: TrainingJob): string {
  if (!job.startedAt) {
    return 'The run has not started yet: the charts begin when it does.';
  }
  if (isTerminal(job)) {
    return 'Prometheus has no samples of the cluster for this run: it did not scrape the cluster, or no longer keeps samples this old.';
  }
  return 'No samples yet: they appear within half a minute once Prometheus scrapes the cluster.';
}

/**
 * CPU, memory and GPU use of the job's cluster from the run's start to its end, from Prometheus;
 * read again while the job runs.
 */
export function JobResourcesCard(props: { job: TrainingJob }) {
  const { job } = props;
  const api = useApi(experimentsMonitoringApiRef);
  const jobId = job.id;
  const load = useCallback(() => api.getJobCharts(jobId), [api, jobId]);
  const running = !isTerminal(job);
  return (
    <ChartsCard
      // A new card when the run ends: it reads the whole run once more, then stops.
      key={running ? 'running' : 'ended'}
      title="Cluster resources during this run"
      load={load}
      fixedRange
      refreshMs={running ? DEFAULT_CHART_REFRESH_MS : null}
      emptyText={emptyText(job)}
    />
  );
}
