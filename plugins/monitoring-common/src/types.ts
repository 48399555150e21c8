// The API's types are generated from the backend's OpenAPI spec
// (plugins/monitoring-backend/src/schema/openapi.yaml).
export type {
  Chart,
  ChartPoint,
  Charts,
  ChartSeries,
  ChartWindow,
} from './schema/openapi';
