import { InputError } from '@backstage/errors';
import { RayClusterShape } from '@internal/backstage-plugin-ray-clusters-node';
import {
  formatErrors,
  loadCrdValidators,
  sharedSpecsDir,
} from '@internal/backstage-plugin-ray-clusters-node/testUtils';
import { ModelDeploymentDetails } from '@internal/backstage-plugin-serving-common';
import { buildDeploymentRayService } from './rayServiceManifest';
import { buildServeApplication } from './ServeApplicationBuilder';

const canary: ModelDeploymentDetails = {
  id: 'd1',
  name: 'fraud',
  owner: 'group:default/team-a',
  modelName: 'fraud-model',
  modelVersion: '3',
  cluster: 'alpha',
  state: 'HEALTHY',
  versions: [
    { version: '3', weight: 80 },
    { version: '4', weight: 20 },
  ],
  scaling: { replicas: 2 },
  resources: { cpus: 0.5, gpus: 0 },
  createdBy: 'user:default/alice',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

const cluster: RayClusterShape = {
  head: { cpu: 1, memory: '4Gi' },
  cpuWorkers: { minReplicas: 1, maxReplicas: 2, cpu: 2, memory: '8Gi' },
};

function application(envVars: Record<string, string> = {}) {
  return buildServeApplication({
    deployment: canary,
    keys: [
      { id: 'k1', sha256: 'a'.repeat(64), requestsPerSecond: 10, burst: 20 },
    ],
    envVars: { MLFLOW_TRACKING_URI: 'http://mlflow:5000', ...envVars },
  });
}

describe('buildDeploymentRayService', () => {
  it('puts a two-version canary in a RayService of the team namespace', () => {
    const manifest = buildDeploymentRayService({
      application: application(),
      namespace: 'team-a',
      owner: 'group:default/team-a',
      cluster,
    });

    expect(manifest.apiVersion).toBe('ray.io/v1');
    expect(manifest.kind).toBe('RayService');
    expect(manifest.metadata).toEqual({
      name: 'mlops-fraud',
      namespace: 'team-a',
      labels: {
        'app.kubernetes.io/managed-by': 'mlops-portal',
        'mlops-portal.io/team': 'group-default-team-a',
        'mlops-portal.io/cluster': 'mlops-fraud',
      },
      annotations: {
        'mlops-portal.io/owner': 'group:default/team-a',
        'mlops-portal.io/profile': 'serving',
      },
    });
    const serveConfig = manifest.spec.serveConfigV2;
    expect(typeof serveConfig).toBe('string');
    expect(serveConfig).toMatch(/^applications:\n {2}- name: mlops-fraud$/m);
    expect(serveConfig).toMatch(/route_prefix: \/fraud$/m);
    expect(serveConfig).toMatch(
      /import_path: mlops_runtime\.serve\.app:build_app$/m,
    );
    expect(serveConfig).toContain('models:/fraud-model/3');
    expect(serveConfig).toContain('models:/fraud-model/4');
    expect(serveConfig).toMatch(/"3": 80$/m);
    expect(serveConfig).toMatch(/"4": 20$/m);
    expect(serveConfig).toContain('a'.repeat(64));
    expect(manifest.spec.rayClusterConfig.workerGroupSpecs).toHaveLength(1);
  });

  it('is a valid RayService for the KubeRay CRD schema', () => {
    const specsDir = sharedSpecsDir();
    if (!specsDir) {
      throw new Error(
        'KubeRay CRD schemas not found: set MLOPS_SPECS_DIR (scripts/test.sh does) or keep ../shared/specs beside the repository',
      );
    }
    const manifest = buildDeploymentRayService({
      application: application(),
      namespace: 'team-a',
      owner: 'group:default/team-a',
      cluster,
    });
    const validate = loadCrdValidators(specsDir).RayService;
    expect(formatErrors(validate(manifest))).toBe('');
    const broken = {
      ...manifest,
      spec: { ...manifest.spec, serveConfigV2: 42 },
    };
    expect(formatErrors(validate(broken))).toContain('/spec/serveConfigV2');
  });

  it('refuses credentials in the environment, naming them', () => {
    expect(() =>
      buildDeploymentRayService({
        application: application({
          MLFLOW_TRACKING_PASSWORD: 'hunter2',
          AWS_SECRET_ACCESS_KEY: 'x',
        }),
        namespace: 'team-a',
        owner: 'group:default/team-a',
        cluster,
      }),
    ).toThrow(
      new InputError(
        'Serve application "mlops-fraud" passes credentials in runtime_env.env_vars (MLFLOW_TRACKING_PASSWORD, AWS_SECRET_ACCESS_KEY); on KubeRay they must come from a Kubernetes Secret, not the RayService manifest',
      ),
    );
  });

  it('refuses a namespace that is not a DNS label', () => {
    expect(() =>
      buildDeploymentRayService({
        application: application(),
        namespace: 'Team_A',
        owner: 'group:default/team-a',
        cluster,
      }),
    ).toThrow(/namespace "Team_A" is not a valid DNS-1123 label/);
  });
});
