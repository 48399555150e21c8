import { ServeApplicationConfig } from '@internal/backstage-plugin-ray-clusters-node';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { inferenceLogUri, InferenceLogSettings } from '@internal/mlops-node';
import { liveVersions, weightsOf } from '../service/traffic';

/** What one key of a deployment looks like to Ray Serve: its hash and limits, never the key. */
export type ServeKey = {
  id: string;
  sha256: string;
  requestsPerSecond: number;
  burst: number;
  expiresAt?: string;
};

/** The runtime's application builder (runtime/src/mlops_runtime/serve/app.py). */
export const SERVE_IMPORT_PATH = 'mlops_runtime.serve.app:build_app';

/** The Serve application of a deployment: `mlops-<slug>`, unique on its cluster. */
export function serveApplicationName(deployment: { name: string }): string {
  return `mlops-${deployment.name}`;
}

/**
 * The Ray Serve application config of a deployment, as the serving contract
 * (SERVE_CONTRACT.md) has it: one model deployment per live version, the ingress with the keys'
 * hashes, the weights and the shadow in its live `user_config`.
 */
export function buildServeApplication(options: {
  deployment: ModelDeploymentDetails;
  /** The keys Ray Serve should accept: neither revoked nor expired. */
  keys: ServeKey[];
  /** Environment of the replicas: MLflow tracking URI and the team's MLflow credentials. */
  envVars: Record<string, string>;
  /** Versions without traffic that stay deployed while the previous ingress drains. */
  draining?: string[];
  /** Where the ingress logs sampled requests for drift checks; no log without it. */
  inferenceLog?: InferenceLogSettings;
  maxBatchSize?: number;
  batchWaitTimeoutS?: number;
}): ServeApplicationConfig {
  const { deployment, keys, envVars } = options;
  // In the deployment's own order, so that a change of weights among deployed versions leaves
  // `args` as it was: Serve then only reconfigures the ingress, restarting nothing.
  const live = new Set([
    ...liveVersions(deployment),
    ...(options.draining ?? []),
  ]);
  const deployed = deployment.versions
    .map(v => v.version)
    .filter(version => live.has(version));
  const { scaling, resources } = deployment;
  const replicas = scaling.autoscaling
    ? {
        autoscaling_config: {
          min_replicas: scaling.autoscaling.minReplicas,
          max_replicas: scaling.autoscaling.maxReplicas,
          target_ongoing_requests:
            scaling.autoscaling.targetOngoingRequests ?? 2,
        },
      }
    : { num_replicas: scaling.replicas ?? 1 };
  return {
    name: serveApplicationName(deployment),
    route_prefix: `/${deployment.name}`,
    import_path: SERVE_IMPORT_PATH,
    runtime_env: { env_vars: { ...envVars } },
    args: {
      model_name: deployment.name,
      deployment_id: deployment.id,
      versions: deployed.map(version => ({
        version,
        model_uri: `models:/${deployment.modelName}/${version}`,
        ...replicas,
        ray_actor_options: {
          num_cpus: resources.cpus,
          num_gpus: resources.gpus,
        },
        max_batch_size: options.maxBatchSize ?? 16,
        batch_wait_timeout_s: options.batchWaitTimeoutS ?? 0.005,
      })),
      ingress: { num_replicas: 1, ray_actor_options: { num_cpus: 0.25 } },
    },
    deployments: [
      {
        name: 'Ingress',
        user_config: {
          keys: keys.map(key => ({
            id: key.id,
            sha256: key.sha256,
            requests_per_second: key.requestsPerSecond,
            burst: key.burst,
            expires_at: key.expiresAt ?? null,
          })),
          weights: weightsOf(deployment),
          shadow: deployment.shadow
            ? {
                version: deployment.shadow.version,
                percent: deployment.shadow.percent,
              }
            : null,
          inference_log: options.inferenceLog
            ? {
                uri: inferenceLogUri(options.inferenceLog, deployment.id),
                sample_rate: options.inferenceLog.sampleRate,
                batch_size: options.inferenceLog.batchSize,
                flush_interval_s: options.inferenceLog.flushIntervalSeconds,
              }
            : null,
        },
      },
    ],
  };
}
