import { InputError } from '@backstage/errors';
import { parse } from 'yaml';
import {
  CrdValidator,
  formatErrors,
  loadCrdValidators,
  sharedSpecsDir,
  specsMissingMessage,
} from './crdSchemas';
import { buildRayCluster, buildRayJob, buildRayService } from './manifests';
import { defaultAuthSecretName, toLabelValue } from './names';
import {
  KubeRayManifest,
  RayClusterInput,
  RayClusterShape,
  RayJobInput,
  RayServiceInput,
} from './types';

const cpuOnly: RayClusterShape = {
  head: { cpu: 1, memory: '4Gi' },
  cpuWorkers: { minReplicas: 1, maxReplicas: 1, cpu: '2', memory: '8Gi' },
};
const withGpu: RayClusterShape = {
  ...cpuOnly,
  gpuWorkers: {
    minReplicas: 0,
    maxReplicas: 2,
    replicas: 1,
    cpu: '8',
    memory: '32Gi',
    gpusPerWorker: 1,
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ],
  },
};
const autoscaled: RayClusterShape = {
  rayVersion: '2.59.1',
  head: { cpu: '500m', memory: '2Gi' },
  cpuWorkers: { minReplicas: 0, maxReplicas: 10, cpu: 4, memory: '16Gi' },
  gpuWorkers: {
    minReplicas: 0,
    maxReplicas: 4,
    cpu: 8,
    memory: '64Gi',
    gpusPerWorker: 4,
  },
  autoscaling: { enabled: true, idleTimeoutSeconds: 300 },
  serviceAccountName: 'ray-workers',
  imagePullSecrets: ['registry-credentials'],
};
const headOnly: RayClusterShape = {
  image: 'registry.example.com/ml/ray:2.60.0-py312',
  head: { cpu: 2, memory: '8Gi' },
  cpuWorkers: { minReplicas: 0, maxReplicas: 0, cpu: 1, memory: '1Gi' },
};
const identity = {
  name: 'ml-team',
  namespace: 'team-ml',
  owner: 'group:default/ml-team',
};

const clusters: Array<[string, RayClusterInput]> = [
  ['CPU only', { ...identity, ...cpuOnly }],
  ['with a GPU group', { ...identity, ...withGpu }],
  ['autoscaling bounds, GPU and CPU', { ...identity, ...autoscaled }],
  [
    'head only, custom image',
    { ...identity, ...headOnly, name: 'a'.repeat(63) },
  ],
];
const jobs: Array<[string, RayJobInput]> = [
  [
    'RayJob on a CPU cluster',
    {
      ...identity,
      name: 'train-42',
      entrypoint: 'python -m runtime.train --config /tmp/job.json',
      runtimeEnv: {
        working_dir: 's3://bucket/code.zip',
        pip: ['torch==2.13.0'],
        env_vars: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' },
      },
      cluster: cpuOnly,
    },
  ],
  [
    'RayJob with GPU, deadline, HTTP submission',
    {
      ...identity,
      name: 'tune-7',
      entrypoint: 'python -m runtime.tune',
      submissionMode: 'HTTPMode',
      ttlSecondsAfterFinished: 0,
      activeDeadlineSeconds: 3600,
      cluster: autoscaled,
    },
  ],
];
const services: Array<[string, RayServiceInput]> = [
  [
    'RayService with one application',
    {
      ...identity,
      name: 'mnist-cnn-v3',
      serveConfig: {
        http_options: { host: '0.0.0.0', port: 8000 },
        applications: [
          {
            name: 'mnist-cnn',
            import_path: 'runtime.serve.app:build',
            route_prefix: '/mnist-cnn',
            args: { model_uri: 'models:/mnist-cnn/3' },
          },
        ],
      },
      cluster: withGpu,
    },
  ],
];

const allManifests: Array<[string, KubeRayManifest]> = [
  ...clusters.map(
    ([n, i]) => [n, buildRayCluster(i)] as [string, KubeRayManifest],
  ),
  ...jobs.map(([n, i]) => [n, buildRayJob(i)] as [string, KubeRayManifest]),
  ...services.map(
    ([n, i]) => [n, buildRayService(i)] as [string, KubeRayManifest],
  ),
];

const specsDir = sharedSpecsDir();
if (!specsDir) {
  // eslint-disable-next-line no-console
  console.warn(specsMissingMessage);
}
const describeWithSpecs = specsDir ? describe : describe.skip;

describeWithSpecs(
  'KubeRay manifests against the KubeRay v1.7.0 CRD schemas',
  () => {
    let validators: Record<KubeRayManifest['kind'], CrdValidator>;
    beforeAll(() => {
      validators = loadCrdValidators(specsDir!);
    });

    it.each(allManifests)('%s is a valid object', (_name, manifest) => {
      const errors = validators[manifest.kind](manifest);
      expect(formatErrors(errors)).toBe('');
    });

    describe('the validation can fail', () => {
      const cluster = buildRayCluster({ ...identity, ...withGpu });
      const broken: Array<[string, (m: any) => void, RegExp]> = [
        [
          'replicas as a string',
          m => {
            m.spec.workerGroupSpecs[0].replicas = 'two';
          },
          /workerGroupSpecs\/0\/replicas must be integer/,
        ],
        [
          'a misspelt field',
          m => {
            m.spec.workerGroupSpecs[1].maxReplica = 3;
          },
          /must NOT have additional properties.*maxReplica/,
        ],
        [
          'a wrong auth mode',
          m => {
            m.spec.authOptions.mode = 'password';
          },
          /authOptions\/mode must be equal to one of the allowed values/,
        ],
        [
          'a missing head template',
          m => {
            delete m.spec.headGroupSpec.template;
          },
          /headGroupSpec must have required property 'template'/,
        ],
        [
          'a container without a name',
          m => {
            delete m.spec.headGroupSpec.template.spec.containers[0].name;
          },
          /containers\/0 must have required property 'name'/,
        ],
        [
          'a malformed quantity',
          m => {
            m.spec.headGroupSpec.template.spec.containers[0].resources.limits.memory =
              '4 GB';
          },
          /limits\/memory must match pattern/,
        ],
        [
          'a replica count beyond int32',
          m => {
            m.spec.workerGroupSpecs[0].maxReplicas = 2 ** 31;
          },
          /maxReplicas must match format "int32"/,
        ],
      ];
      it.each(broken)('rejects %s', (_name, breakIt, expected) => {
        const manifest = structuredClone(cluster);
        breakIt(manifest);
        expect(formatErrors(validators.RayCluster(manifest))).toMatch(expected);
      });

      it('rejects a RayJob whose shutdownAfterJobFinishes is not a boolean', () => {
        const job: any = buildRayJob(jobs[0][1]);
        job.spec.shutdownAfterJobFinishes = 'yes';
        expect(formatErrors(validators.RayJob(job))).toMatch(
          /shutdownAfterJobFinishes must be boolean/,
        );
      });

      it('rejects a RayService whose serve config is not a string', () => {
        const service: any = buildRayService(services[0][1]);
        service.spec.serveConfigV2 = { applications: [] };
        expect(formatErrors(validators.RayService(service))).toMatch(
          /serveConfigV2 must be string/,
        );
      });
    });
  },
);

describe('buildRayCluster', () => {
  it('builds head, CPU and GPU groups with token auth and portal labels', () => {
    const manifest = buildRayCluster({ ...identity, ...withGpu });
    expect(manifest.metadata).toEqual({
      name: 'ml-team',
      namespace: 'team-ml',
      labels: {
        'app.kubernetes.io/managed-by': 'mlops-portal',
        'mlops-portal.io/team': 'group-default-ml-team',
        'mlops-portal.io/cluster': 'ml-team',
      },
      annotations: {
        'mlops-portal.io/owner': 'group:default/ml-team',
        'mlops-portal.io/profile': 'team-cluster',
      },
    });
    const { spec } = manifest;
    expect(spec.authOptions).toEqual({ mode: 'token' });
    expect(spec.rayVersion).toBe('2.60.0');
    expect(spec.enableInTreeAutoscaling).toBe(false);
    expect(spec.headGroupSpec.template.spec.containers[0].image).toBe(
      'rayproject/ray:2.60.0',
    );
    expect(spec.workerGroupSpecs.map(g => g.groupName)).toEqual([
      'cpu-workers',
      'gpu-workers',
    ]);
    const gpu = spec.workerGroupSpecs[1];
    expect(gpu).toMatchObject({ replicas: 1, minReplicas: 0, maxReplicas: 2 });
    expect(gpu.template.spec.containers[0].image).toBe(
      'rayproject/ray:2.60.0-gpu',
    );
    expect(
      gpu.template.spec.containers[0].resources.limits['nvidia.com/gpu'],
    ).toBe(1);
    expect(gpu.template.spec.nodeSelector).toEqual({
      'nvidia.com/gpu.present': 'true',
    });
    expect(gpu.template.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(
      spec.workerGroupSpecs[0].template.spec.containers[0].resources.limits,
    ).toEqual({ cpu: '2', memory: '8Gi' });
    expect(gpu.template.metadata.labels['mlops-portal.io/team']).toBe(
      'group-default-ml-team',
    );
  });

  it('runs Ray workers at the normal priority in every pod', () => {
    const { spec } = buildRayCluster({ ...identity, ...withGpu });
    const pods = [spec.headGroupSpec, ...spec.workerGroupSpecs];
    for (const pod of pods) {
      expect(pod.template.spec.containers[0].env).toContainEqual({
        name: 'RAY_worker_niceness',
        value: '0',
      });
    }
  });

  it('turns on the autoscaler with its bounds', () => {
    const { spec } = buildRayCluster({ ...identity, ...autoscaled });
    expect(spec.enableInTreeAutoscaling).toBe(true);
    expect(spec.autoscalerOptions).toEqual({
      upscalingMode: 'Default',
      idleTimeoutSeconds: 300,
    });
    expect(
      spec.workerGroupSpecs.map(g => [
        g.minReplicas,
        g.replicas,
        g.maxReplicas,
      ]),
    ).toEqual([
      [0, 0, 10],
      [0, 0, 4],
    ]);
    expect(spec.workerGroupSpecs[1].template.spec.containers[0].image).toBe(
      'rayproject/ray:2.59.1-gpu',
    );
    expect(spec.headGroupSpec.rayStartParams).toEqual({ 'num-cpus': '0' });
    expect(spec.headGroupSpec.template.spec.serviceAccountName).toBe(
      'ray-workers',
    );
  });

  it('lets a head-only cluster run tasks on its head', () => {
    const { spec } = buildRayCluster({ ...identity, ...headOnly });
    expect(spec.headGroupSpec.rayStartParams).toEqual({});
    expect(spec.headGroupSpec.template.spec.containers[0].image).toBe(
      headOnly.image,
    );
  });

  const invalid: Array<[string, Partial<RayClusterInput>, RegExp]> = [
    [
      'an upper-case name',
      { name: 'ML-Team' },
      /^name "ML-Team" is not a valid DNS-1123 label/,
    ],
    [
      'a name starting with a digit',
      { name: '1team' },
      /^name "1team" must start with a lowercase letter/,
    ],
    [
      'a name too long',
      { name: 'a'.repeat(64) },
      /^name "a+" is 64 characters long; at most 63/,
    ],
    ['an empty name', { name: '' }, /^name is required/],
    [
      'a namespace with a dot',
      { namespace: 'team.ml' },
      /^namespace "team.ml" is not a valid DNS-1123 label/,
    ],
    ['no owner', { owner: '' }, /^owner must be the entity ref/],
    [
      'max below min',
      { cpuWorkers: { minReplicas: 3, maxReplicas: 2, cpu: 1, memory: '1Gi' } },
      /cpuWorkers.maxReplicas \(2\) must not be below cpuWorkers.minReplicas \(3\)/,
    ],
    [
      'replicas above max',
      {
        cpuWorkers: {
          replicas: 5,
          minReplicas: 0,
          maxReplicas: 2,
          cpu: 1,
          memory: '1Gi',
        },
      },
      /cpuWorkers.replicas \(5\) must lie between/,
    ],
    [
      'fractional replicas',
      {
        cpuWorkers: { minReplicas: 0.5, maxReplicas: 2, cpu: 1, memory: '1Gi' },
      },
      /cpuWorkers.minReplicas must be an integer/,
    ],
    [
      'no workers without autoscaling',
      { cpuWorkers: { minReplicas: 0, maxReplicas: 2, cpu: 1, memory: '1Gi' } },
      /cpuWorkers.replicas is 0 and autoscaling is off/,
    ],
    [
      'a bad memory quantity',
      { head: { cpu: 1, memory: '4 GB' } },
      /^head.memory must be a positive Kubernetes quantity/,
    ],
    [
      'zero CPU',
      { head: { cpu: '0', memory: '4Gi' } },
      /^head.cpu must be a positive Kubernetes quantity/,
    ],
    [
      'zero GPUs per GPU worker',
      { gpuWorkers: { ...withGpu.gpuWorkers!, gpusPerWorker: 0 } },
      /^gpuWorkers.gpusPerWorker must be an integer of at least 1/,
    ],
    [
      'a bad Ray version',
      { rayVersion: 'latest' },
      /^rayVersion must look like "2.60.0"/,
    ],
  ];
  it.each(invalid)(
    'rejects %s with an InputError naming the field',
    (_name, change, message) => {
      const build = () =>
        buildRayCluster({
          ...identity,
          ...withGpu,
          ...change,
        } as RayClusterInput);
      expect(build).toThrow(InputError);
      expect(build).toThrow(message);
    },
  );
});

describe('buildRayJob', () => {
  it('gives the job its own cluster that is shut down when it finishes', () => {
    const manifest = buildRayJob(jobs[0][1]);
    expect(manifest.kind).toBe('RayJob');
    expect(manifest.metadata.annotations['mlops-portal.io/profile']).toBe(
      'job-cluster',
    );
    expect(manifest.spec).toMatchObject({
      entrypoint: 'python -m runtime.train --config /tmp/job.json',
      submissionMode: 'K8sJobMode',
      shutdownAfterJobFinishes: true,
      ttlSecondsAfterFinished: 600,
    });
    expect(manifest.spec.activeDeadlineSeconds).toBeUndefined();
    expect(parse(manifest.spec.runtimeEnvYAML!)).toEqual(jobs[0][1].runtimeEnv);
    expect(manifest.spec.rayClusterSpec.authOptions).toEqual({ mode: 'token' });
  });

  it('keeps an explicit ttl of 0 and the deadline', () => {
    const manifest = buildRayJob(jobs[1][1]);
    expect(manifest.spec.ttlSecondsAfterFinished).toBe(0);
    expect(manifest.spec.activeDeadlineSeconds).toBe(3600);
    expect(manifest.spec.runtimeEnvYAML).toBeUndefined();
  });

  const invalid: Array<[string, Partial<RayJobInput>, RegExp]> = [
    [
      'a name longer than 57',
      { name: 'j'.repeat(58) },
      /^name "j+" is 58 characters long; at most 57/,
    ],
    ['no entrypoint', { entrypoint: ' ' }, /^entrypoint is required/],
    [
      'an unknown submission mode',
      { submissionMode: 'Batch' as any },
      /^submissionMode must be one of K8sJobMode, HTTPMode/,
    ],
    [
      'a negative ttl',
      { ttlSecondsAfterFinished: -1 },
      /^ttlSecondsAfterFinished must be a whole number of seconds of at least 0/,
    ],
    [
      'a zero deadline',
      { activeDeadlineSeconds: 0 },
      /^activeDeadlineSeconds must be a whole number of seconds of at least 1/,
    ],
    [
      'a runtime env that is a list',
      { runtimeEnv: ['torch'] as any },
      /^runtimeEnv must be an object/,
    ],
  ];
  it.each(invalid)('rejects %s', (_name, change, message) => {
    expect(() => buildRayJob({ ...jobs[0][1], ...change })).toThrow(message);
  });
});

describe('buildRayService', () => {
  it('serializes the Serve config to serveConfigV2', () => {
    const manifest = buildRayService(services[0][1]);
    expect(parse(manifest.spec.serveConfigV2)).toEqual(
      services[0][1].serveConfig,
    );
    expect(
      manifest.spec.rayClusterConfig.headGroupSpec.template.spec.containers[0]
        .ports,
    ).toContainEqual({ name: 'serve', containerPort: 8000 });
    expect(manifest.metadata.annotations['mlops-portal.io/profile']).toBe(
      'serving',
    );
  });

  it.each([
    [
      'no applications',
      { applications: [] },
      /^serveConfig.applications must list at least one/,
    ],
    [
      'an application without import_path',
      { applications: [{ name: 'x' }] },
      /^serveConfig.applications\[0\].import_path is required/,
    ],
  ])('rejects %s', (_name, serveConfig, message) => {
    expect(() =>
      buildRayService({ ...services[0][1], serveConfig: serveConfig as any }),
    ).toThrow(message);
  });
});

describe('names', () => {
  it.each([
    ['group:default/ml-team', 'group-default-ml-team'],
    ['group:default/Data Science (EU)', 'group-default-Data-Science-EU'],
    [`group:default/${'x'.repeat(80)}`, `group-default-${'x'.repeat(49)}`],
  ])('turns %s into the label value %s', (ref, label) => {
    expect(toLabelValue(ref)).toBe(label);
  });

  it.each([
    ['ml-team', 'ml-team'],
    ['train-42-raycluster-abcde', 'train-42-raycluster-abcde'],
    [`${'a'.repeat(55)}-xyz12`, `${'a'.repeat(44)}-xyz12`],
    [`${'x'.repeat(10)}-${'b'.repeat(49)}`, `r${'b'.repeat(49)}`],
    [`${'x'.repeat(5)}9${'c'.repeat(49)}`, `r${'c'.repeat(49)}`],
  ])(
    'names the auth Secret of cluster %s as KubeRay does',
    (cluster, secret) => {
      expect(defaultAuthSecretName(cluster)).toBe(secret);
      expect(defaultAuthSecretName(cluster).length).toBeLessThanOrEqual(50);
    },
  );
});
