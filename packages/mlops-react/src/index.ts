/**
 * React components shared by the MLOps frontend plugins.
 *
 * @packageDocumentation
 */

export * from './apiErrorMessage';
export * from './charts/chartTypes';
export * from './charts/formatChartValue';
export * from './components/AreaPage';
export * from './components/ChartsCard';
export * from './components/DependencyStatusTable';
export * from './components/LiveChartsCard';
export * from './components/PluginStatusCard';
export * from './components/TimeSeriesChart';
export * from './formatBytes';
