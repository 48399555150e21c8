// The API's types are generated from the backend's OpenAPI spec
// (plugins/drift-backend/src/schema/openapi.yaml).
export type {
  CreateMonitorRequest,
  DriftCheck,
  DriftCheckStatus,
  DriftedSample,
  DriftMonitor,
  DriftReport,
  DriftTest,
  DriftVerdict,
  DriftWindow,
  Histogram,
  PredictionDrift,
  RequestLabel,
} from './schema/openapi';
