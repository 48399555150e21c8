//

export * from '../models/Chart.model';
export * from '../models/ChartPoint.model';
export * from '../models/ChartSeries.model';
export * from '../models/ChartWindow.model';
export * from '../models/Charts.model';
export * from '../models/DependencyCheck.model';
export * from '../models/ErrorError.model';
export * from '../models/ErrorRequest.model';
export * from '../models/ErrorResponse.model';
export * from '../models/ModelError.model';
export * from '../models/PluginStatus.model';
