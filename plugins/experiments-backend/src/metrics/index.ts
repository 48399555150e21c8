export { ExperimentsMetrics, templateLabel } from './ExperimentsMetrics';
export type { ExperimentsMetricsSources } from './ExperimentsMetrics';
export { DatabaseQueueDepth, RabbitMqQueueDepth } from './queueDepth';
export type { QueueDepth, QueueMessages } from './queueDepth';
