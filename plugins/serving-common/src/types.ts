// The API's types are generated from the backend's OpenAPI spec
// (plugins/serving-backend/src/schema/openapi.yaml).
export type {
  ApiKey,
  Autoscaling,
  CreateApiKeyRequest,
  CreateDeploymentRequest,
  CreatedApiKey,
  DeploymentHistoryEntry,
  DeploymentMetrics,
  DeploymentVersion,
  ModelDeployment,
  ModelDeploymentDetails,
  MetricPoint,
  MetricSeries,
  ModelDeploymentState,
  ReplicaResources,
  RollbackRequest,
  Scaling,
  SetTrafficRequest,
  ShadowTraffic,
} from './schema/openapi';
