import { counterGrowth, promqlString, rateSeconds } from '@internal/mlops-node';
import { Chart } from '@internal/backstage-plugin-monitoring-common';

/** A chart to draw: its PromQL and how each series is named in the legend. */
export type ChartQuery = Omit<Chart, 'series'> & {
  query: string;
  /** The legend name of a series, from its labels. */
  seriesName: (labels: Record<string, string>) => string;
};

/**
 * A Ray cluster's nodes, as Ray exports them; every series is selected by the cluster's name in
 * the `ray_cluster` label (set by the scrape configuration: the stack's Prometheus, the local
 * driver's targets files, the production relabelling in deploy/monitoring).
 */
export function clusterChartQueries(
  cluster: string,
  options: { gpus: boolean } = { gpus: true },
): ChartQuery[] {
  const selector = `{ray_cluster=${promqlString(cluster)}}`;
  const charts: ChartQuery[] = [
    {
      id: 'cpu',
      title: 'CPU use',
      unit: 'percent',
      query: `avg(ray_node_cpu_utilization${selector})`,
      seriesName: () => 'all nodes',
    },
    {
      id: 'memory',
      title: 'Memory',
      unit: 'bytes',
      query: `label_replace(sum(ray_node_mem_used${selector}), "kind", "used", "", "") or label_replace(sum(ray_node_mem_total${selector}), "kind", "total", "", "")`,
      seriesName: labels => labels.kind ?? 'memory',
    },
    {
      id: 'gpu',
      title: 'GPU use',
      unit: 'percent',
      query: `avg(ray_node_gpus_utilization${selector})`,
      seriesName: () => 'all GPUs',
    },
  ];
  // A cluster without GPUs has no GPU series: no chart rather than an empty one.
  return options.gpus ? charts : charts.filter(chart => chart.id !== 'gpu');
}

/** The platform as a whole, with no team's names in any series. */
export function platformChartQueries(stepSeconds: number): ChartQuery[] {
  const seconds = rateSeconds(stepSeconds);
  return [
    {
      id: 'jobs',
      title: 'Training jobs',
      unit: 'count',
      // Every backend reports the same database: max over backends, then sum over templates.
      query: `sum by (state) (max by (state, template) (mlops_training_jobs{state=~"QUEUED|RUNNING"}))`,
      seriesName: labels => labels.state?.toLowerCase() ?? 'jobs',
    },
    {
      id: 'queue-age',
      title: 'Oldest queued job',
      unit: 'seconds',
      query: 'max(mlops_job_queue_oldest_message_age_seconds)',
      seriesName: () => 'waiting for',
    },
    {
      id: 'inference-rate',
      title: 'Inference requests',
      unit: 'perSecond',
      query: `sum by (code) (${counterGrowth(
        'ray_mlops_inference_requests_total',
        seconds,
      )}) / ${seconds}`,
      seriesName: labels => labels.code ?? 'requests',
    },
    {
      id: 'ray-targets',
      title: 'Ray nodes answering',
      unit: 'count',
      query: `label_replace(sum(up{job=~"ray|ray-clusters"} == 1), "kind", "up", "", "") or label_replace(count(up{job=~"ray|ray-clusters"} == 0), "kind", "down", "", "")`,
      seriesName: labels => labels.kind ?? 'nodes',
    },
  ];
}
