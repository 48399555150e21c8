import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { buildServeApplication } from './ServeApplicationBuilder';

const deployment: ModelDeploymentDetails = {
  id: 'd1',
  name: 'fraud',
  owner: 'group:default/team-a',
  modelName: 'fraud-model',
  modelVersion: '3',
  cluster: 'alpha',
  state: 'HEALTHY',
  versions: [
    { version: '2', weight: 0 },
    { version: '3', weight: 80 },
    { version: '4', weight: 20 },
    { version: '5', weight: 0 },
  ],
  shadow: { version: '5', percent: 10 },
  scaling: {
    autoscaling: { minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2 },
  },
  resources: { cpus: 0.5, gpus: 0.25 },
  createdBy: 'user:default/alice',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('buildServeApplication', () => {
  it("builds the contract's application: live versions, key hashes, weights, shadow", () => {
    const app = buildServeApplication({
      deployment,
      keys: [
        {
          id: 'k1',
          sha256: 'a'.repeat(64),
          requestsPerSecond: 10,
          burst: 20,
          expiresAt: '2027-01-01T00:00:00.000Z',
        },
        { id: 'k2', sha256: 'b'.repeat(64), requestsPerSecond: 1, burst: 1 },
      ],
      envVars: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' },
    });
    const autoscaling = {
      autoscaling_config: {
        min_replicas: 1,
        max_replicas: 4,
        target_ongoing_requests: 2,
      },
    };
    const model = (version: string) => ({
      version,
      model_uri: `models:/fraud-model/${version}`,
      ...autoscaling,
      ray_actor_options: { num_cpus: 0.5, num_gpus: 0.25 },
      max_batch_size: 16,
      batch_wait_timeout_s: 0.005,
    });
    expect(app).toEqual({
      name: 'mlops-fraud',
      route_prefix: '/fraud',
      import_path: 'mlops_runtime.serve.app:build_app',
      runtime_env: { env_vars: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' } },
      args: {
        model_name: 'fraud',
        deployment_id: 'd1',
        // Version 2 has no traffic and no shadow: Serve does not run it.
        versions: [model('3'), model('4'), model('5')],
        ingress: { num_replicas: 1, ray_actor_options: { num_cpus: 0.25 } },
      },
      deployments: [
        {
          name: 'Ingress',
          user_config: {
            keys: [
              {
                id: 'k1',
                sha256: 'a'.repeat(64),
                requests_per_second: 10,
                burst: 20,
                expires_at: '2027-01-01T00:00:00.000Z',
              },
              {
                id: 'k2',
                sha256: 'b'.repeat(64),
                requests_per_second: 1,
                burst: 1,
                expires_at: null,
              },
            ],
            weights: { '3': 80, '4': 20 },
            shadow: { version: '5', percent: 10 },
            inference_log: null,
          },
        },
      ],
    });
  });

  it("gives the ingress the deployment's own inference log folder when the log is on", () => {
    const app = buildServeApplication({
      deployment,
      keys: [],
      envVars: {},
      inferenceLog: {
        uri: 's3://logs/inference',
        sampleRate: 0.25,
        batchSize: 50,
        flushIntervalSeconds: 5,
      },
    });
    expect(app.deployments?.[0].user_config?.inference_log).toEqual({
      uri: 's3://logs/inference/d1',
      sample_rate: 0.25,
      batch_size: 50,
      flush_interval_s: 5,
    });
  });

  it('uses a fixed number of replicas when the deployment has no autoscaling', () => {
    const app = buildServeApplication({
      deployment: {
        ...deployment,
        versions: [{ version: '3', weight: 100 }],
        shadow: undefined,
        scaling: { replicas: 3 },
      },
      keys: [],
      envVars: {},
    });
    expect(app.args!.versions).toEqual([
      expect.objectContaining({ version: '3', num_replicas: 3 }),
    ]);
    expect(JSON.stringify(app)).not.toContain('autoscaling_config');
    expect(app.deployments![0].user_config).toMatchObject({
      keys: [],
      weights: { '3': 100 },
      shadow: null,
    });
  });

  it('keeps draining versions deployed, in the order of the deployment, so args stay the same', () => {
    const canary = {
      ...deployment,
      shadow: undefined,
      versions: [
        { version: '3', weight: 80 },
        { version: '4', weight: 20 },
      ],
    };
    const promoted = {
      ...canary,
      modelVersion: '4',
      versions: [
        { version: '3', weight: 0 },
        { version: '4', weight: 100 },
      ],
    };
    const before = buildServeApplication({
      deployment: canary,
      keys: [],
      envVars: {},
    });
    const during = buildServeApplication({
      deployment: promoted,
      keys: [],
      envVars: {},
      draining: ['3'],
    });
    const after = buildServeApplication({
      deployment: promoted,
      keys: [],
      envVars: {},
    });
    // Serve restarts every replica when args change; weights live in user_config.
    expect(during.args).toEqual(before.args);
    expect(during.deployments![0].user_config).toMatchObject({
      weights: { '4': 100 },
    });
    expect(
      (after.args!.versions as Array<{ version: string }>).map(v => v.version),
    ).toEqual(['4']);
  });
});
