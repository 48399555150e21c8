export * from './TestMetrics';
