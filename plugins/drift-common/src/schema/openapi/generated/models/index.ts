//

export * from '../models/AddLabels200Response.model';
export * from '../models/AddLabelsRequest.model';
export * from '../models/CreateMonitorRequest.model';
export * from '../models/DependencyCheck.model';
export * from '../models/DriftCheck.model';
export * from '../models/DriftCheckStatus.model';
export * from '../models/DriftMonitor.model';
export * from '../models/DriftReport.model';
export * from '../models/DriftReportAccuracy.model';
export * from '../models/DriftReportWindow.model';
export * from '../models/DriftTest.model';
export * from '../models/DriftVerdict.model';
export * from '../models/DriftWindow.model';
export * from '../models/DriftedSample.model';
export * from '../models/ErrorError.model';
export * from '../models/ErrorRequest.model';
export * from '../models/ErrorResponse.model';
export * from '../models/Histogram.model';
export * from '../models/ListChecks200Response.model';
export * from '../models/ListMonitors200Response.model';
export * from '../models/ModelError.model';
export * from '../models/PluginStatus.model';
export * from '../models/PredictionDrift.model';
export * from '../models/RequestLabel.model';
export * from '../models/RequestLabelLabel.model';
