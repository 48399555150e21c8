export * from './components/AreaPage';
/**
 * React components shared by the MLOps frontend plugins.
 *
 * @packageDocumentation
 */

export * from './components/DependencyStatusTable';
export * from './components/PluginStatusCard';
export * from './components/TimeSeriesChart';
export * from './formatBytes';
