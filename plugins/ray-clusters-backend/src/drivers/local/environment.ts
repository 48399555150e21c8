import { RAY_NODE_ENVIRONMENT } from '@internal/backstage-plugin-ray-clusters-node';
import { dirname } from 'node:path';

/**
 * Passed on from the backend's environment to a Ray head: locale, proxies, accelerators. Nothing
 * else: the backend's environment holds secrets (tokens, passwords, keys) that user code running
 * in Ray must not see.
 */
const PASSED_ON = [
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'http_proxy',
  'https_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'CUDA_VISIBLE_DEVICES',
  'NVIDIA_VISIBLE_DEVICES',
  'NVIDIA_DRIVER_CAPABILITIES',
];
/** Ray's own settings are passed on, except where to connect and with which token. */
const NOT_PASSED_ON = ['RAY_ADDRESS', 'RAY_AUTH_TOKEN', 'RAY_AUTH_TOKEN_PATH'];
const LOOPBACK = '127.0.0.1,localhost,::1';

/**
 * The whole environment of a local Ray head: the Python environment of `rayExecutable` first on
 * the PATH (a job's `python` is that one), the account's identity, a HOME and TMPDIR of its own,
 * token authentication, loopback only; and the Prometheus its dashboard reads metrics from.
 */
export function rayHeadEnvironment(options: {
  rayExecutable: string;
  userName?: string;
  home: string;
  tmp: string;
  tokenPath: string;
  prometheusUrl?: string;
  /**
   * Where the dashboard and the autoscaler serve their own metrics. Ray's defaults are fixed
   * ports (44227, 44217) that only the first Ray on the machine gets.
   */
  metricsPorts?: { dashboard: number; autoscaler: number };
  source?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const source = options.source ?? process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_ON) {
    if (source[name] !== undefined) env[name] = source[name];
  }
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith('RAY_') && !NOT_PASSED_ON.includes(name)) {
      env[name] = value;
    }
  }
  const noProxy = [source.NO_PROXY ?? source.no_proxy, LOOPBACK]
    .filter(Boolean)
    .join(',');
  Object.assign(env, {
    PATH: [dirname(options.rayExecutable), source.PATH ?? '/usr/bin:/bin']
      .filter(Boolean)
      .join(':'),
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    HOME: options.home,
    TMPDIR: options.tmp,
    ...(options.userName && {
      USER: options.userName,
      LOGNAME: options.userName,
    }),
    RAY_AUTH_MODE: 'token',
    RAY_AUTH_TOKEN_PATH: options.tokenPath,
    // Keeps GCS and raylet on loopback instead of the machine's routable address.
    RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: '0',
    // A single-node cluster has nowhere to drain to: stop at once.
    RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S: '0',
    PYTHONUNBUFFERED: '1',
    ...(options.prometheusUrl && {
      RAY_PROMETHEUS_HOST: options.prometheusUrl,
    }),
    ...(options.metricsPorts && {
      DASHBOARD_METRIC_PORT: String(options.metricsPorts.dashboard),
      AUTOSCALER_METRIC_PORT: String(options.metricsPorts.autoscaler),
    }),
    ...RAY_NODE_ENVIRONMENT,
  });
  return env;
}
