/*
 * Starts the OpenTelemetry SDK with a Prometheus exporter, as Backstage documents
 * (tutorials/setup-opentelemetry). It must run before the backend loads any plugin, so it is
 * loaded with `node --require` (the "start" script here, and the Dockerfile).
 *
 * MLOPS_BACKEND_METRICS_PORT  port of the exporter's /metrics (default 9464; 0 or "off": none)
 * MLOPS_BACKEND_METRICS_HOST  address it listens on (default 127.0.0.1)
 *
 * Only metrics are exported; set the standard OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER
 * variables to send traces or logs as well.
 */
const { isMainThread } = require('node:worker_threads');

const DEFAULT_PORT = 9464;
const DEFAULT_HOST = '127.0.0.1';

/** The exporter's port, or undefined when metrics are switched off. */
function metricsPort(value) {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '') return DEFAULT_PORT;
  if (text === '0' || text === 'off') return undefined;
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(
      `MLOPS_BACKEND_METRICS_PORT must be a port number, 0 or "off"; got "${value}"`,
    );
  }
  return port;
}

function startTelemetry(env) {
  const port = metricsPort(env.MLOPS_BACKEND_METRICS_PORT);
  if (port === undefined) return;
  const host = env.MLOPS_BACKEND_METRICS_HOST || DEFAULT_HOST;

  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

  const exporter = new PrometheusExporter({
    host,
    port,
    preventServerStart: true,
  });
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : 'backstage-backend',
    metricReaders: [exporter],
    ...(env.OTEL_TRACES_EXPORTER ? {} : { spanProcessors: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  // A taken port must not stop the backend: it runs on, without serving metrics.
  exporter.startServer().catch(error => {
    process.emitWarning(
      `Backend metrics are not served: cannot listen on ${host}:${port} (${error.message})`,
    );
  });
}

// Worker threads inherit --require; the SDK belongs to the main thread only.
if (isMainThread) {
  startTelemetry(process.env);
}

module.exports = { metricsPort };
