import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  loadCrdValidators,
  sharedSpecsDir,
  specsMissingMessage,
} from './crdSchemas';
import {
  FAKE_API_TOKEN,
  FakeKubernetesApi,
} from './__testUtils__/fakeKubernetesApi';
import { KubeRayClient } from './KubeRayClient';
import { buildRayCluster, buildRayJob, buildRayService } from './manifests';
import { KubeRayManifest, RayClusterShape } from './types';

const shape: RayClusterShape = {
  head: { cpu: 1, memory: '4Gi' },
  cpuWorkers: { minReplicas: 1, maxReplicas: 3, cpu: 2, memory: '8Gi' },
  gpuWorkers: {
    minReplicas: 0,
    maxReplicas: 2,
    replicas: 1,
    cpu: 8,
    memory: '32Gi',
    gpusPerWorker: 1,
  },
};
const identity = { namespace: 'team-ml', owner: 'group:default/ml-team' };
const cluster = buildRayCluster({ ...identity, name: 'ml-team', ...shape });
const job = buildRayJob({
  ...identity,
  name: 'train-42',
  entrypoint: 'python -m runtime.train',
  cluster: shape,
});
const service = buildRayService({
  ...identity,
  name: 'mnist-v3',
  serveConfig: {
    applications: [{ name: 'mnist', import_path: 'runtime.serve.app:build' }],
  },
  cluster: shape,
});

const specsDir = sharedSpecsDir();
if (!specsDir) {
  // eslint-disable-next-line no-console
  console.warn(
    `${specsMissingMessage}; the fake API server accepts create bodies unchecked`,
  );
}
const validators = specsDir ? loadCrdValidators(specsDir) : undefined;
const describeWithSpecs = validators ? describe : describe.skip;

describe('KubeRayClient against a local fake Kubernetes API', () => {
  let api: FakeKubernetesApi;
  let client: KubeRayClient;

  beforeEach(async () => {
    api = await FakeKubernetesApi.start(validators);
    client = new KubeRayClient({ kubeConfig: api.kubeConfig() });
  });
  afterEach(() => api.close());

  describe('create', () => {
    it.each<[string, KubeRayManifest]>([
      ['rayclusters', cluster],
      ['rayjobs', job],
      ['rayservices', service],
    ])(
      'POSTs the manifest to %s, strictly validated',
      async (plural, manifest) => {
        await client.create(manifest);
        expect(api.requests).toHaveLength(1);
        const [request] = api.requests;
        expect(request.method).toBe('POST');
        expect(request.path).toBe(
          `/apis/ray.io/v1/namespaces/team-ml/${plural}`,
        );
        expect(request.query).toEqual({
          fieldManager: 'mlops-portal',
          fieldValidation: 'Strict',
        });
        expect(request.headers.authorization).toBe(`Bearer ${FAKE_API_TOKEN}`);
        expect(request.body).toEqual(manifest);
        expect(
          api.objects.get(`${plural}/team-ml/${manifest.metadata.name}`),
        ).toMatchObject({ spec: manifest.spec });
      },
    );

    it('refuses a second cluster of the same name with a ConflictError', async () => {
      await client.create(cluster);
      const second = client.create(cluster);
      await expect(second).rejects.toThrow(ConflictError);
      await expect(client.create(cluster)).rejects.toThrow(
        'cluster "ml-team" already exists in namespace "team-ml" (RayCluster)',
      );
    });

    describeWithSpecs('with the CRD schemas in the fake server', () => {
      it('turns the API server rejecting an invalid object into an InputError', async () => {
        const broken: any = structuredClone(cluster);
        broken.spec.workerGroupSpecs[0].replicas = 'three';
        const attempt = client.create(broken);
        await expect(attempt).rejects.toThrow(InputError);
        await expect(client.create(broken)).rejects.toThrow(
          /Kubernetes rejected the RayCluster "ml-team": .*workerGroupSpecs\/0\/replicas must be integer/,
        );
        expect(api.objects.size).toBe(0);
      });
    });

    it('reports a 500 as ServiceUnavailableError with the server message', async () => {
      api.forcedAnswers.push({
        status: 500,
        body: {
          kind: 'Status',
          message: 'etcdserver: request timed out',
          code: 500,
        },
      });
      const attempt = client.create(cluster);
      await expect(attempt).rejects.toThrow(ServiceUnavailableError);
      await expect(attempt).rejects.toThrow(
        'Kubernetes API answered 500 when trying to create RayCluster "ml-team" in namespace "team-ml": etcdserver: request timed out',
      );
    });

    it('reports a forbidden namespace as NotAllowedError', async () => {
      api.forcedAnswers.push({
        status: 403,
        body: {
          kind: 'Status',
          message: 'rayclusters.ray.io is forbidden',
          code: 403,
        },
      });
      await expect(client.create(cluster)).rejects.toThrow(NotAllowedError);
    });

    it('reports an unreachable API server as ServiceUnavailableError', async () => {
      const gone = await FakeKubernetesApi.start();
      const kubeConfig = gone.kubeConfig();
      await gone.close();
      const attempt = new KubeRayClient({ kubeConfig }).create(cluster);
      await expect(attempt).rejects.toThrow(ServiceUnavailableError);
      await expect(attempt).rejects.toThrow(
        /Kubernetes API unreachable while trying to create RayCluster "ml-team"/,
      );
    });
  });

  describe('getStatus', () => {
    const head = {
      head: { serviceName: 'ml-team-head-svc' },
      endpoints: { dashboard: '8265', client: '10001' },
    };
    it.each<[string, KubeRayManifest, any, object]>([
      [
        'a ready RayCluster',
        cluster,
        { state: 'ready', ...head },
        {
          phase: 'ready',
          ready: true,
          dashboardUrl:
            'http://ml-team-head-svc.team-ml.svc.cluster.local:8265',
        },
      ],
      [
        'a RayCluster ready by its conditions',
        cluster,
        {
          conditions: [
            { type: 'RayClusterProvisioned', status: 'True' },
            { type: 'HeadPodReady', status: 'True' },
          ],
          ...head,
        },
        { phase: 'ready', ready: true },
      ],
      [
        'a provisioning RayCluster',
        cluster,
        {
          conditions: [
            {
              type: 'HeadPodReady',
              status: 'False',
              message: 'head pod is pending',
            },
          ],
        },
        { phase: 'pending', ready: false, message: 'head pod is pending' },
      ],
      [
        'a failing RayCluster',
        cluster,
        {
          conditions: [
            {
              type: 'RayClusterReplicaFailure',
              status: 'True',
              message: 'pods "x" is forbidden: exceeded quota',
            },
          ],
        },
        {
          phase: 'failed',
          ready: false,
          message: 'pods "x" is forbidden: exceeded quota',
        },
      ],
      [
        'a suspended RayCluster',
        cluster,
        { state: 'suspended' },
        { phase: 'suspended', ready: false },
      ],
      [
        'a running RayJob',
        job,
        {
          jobDeploymentStatus: 'Running',
          jobStatus: 'RUNNING',
          rayClusterName: 'train-42-abcde',
          dashboardURL:
            'train-42-abcde-head-svc.team-ml.svc.cluster.local:8265',
        },
        {
          phase: 'running',
          ready: true,
          rayClusterName: 'train-42-abcde',
          dashboardUrl:
            'http://train-42-abcde-head-svc.team-ml.svc.cluster.local:8265',
        },
      ],
      [
        'a succeeded RayJob',
        job,
        { jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED' },
        { phase: 'succeeded', ready: false },
      ],
      [
        'a failed RayJob',
        job,
        { jobDeploymentStatus: 'Complete', jobStatus: 'FAILED' },
        { phase: 'failed', message: 'the job ended as FAILED' },
      ],
      [
        'a deadline-exceeded RayJob',
        job,
        { jobDeploymentStatus: 'Failed', reason: 'DeadlineExceeded' },
        { phase: 'failed', message: 'DeadlineExceeded' },
      ],
      ['a new RayJob', job, undefined, { phase: 'pending', ready: false }],
      [
        'a ready RayService',
        service,
        {
          conditions: [{ type: 'Ready', status: 'True' }],
          activeServiceStatus: {
            rayClusterName: 'mnist-v3-xyz12',
            rayClusterStatus: {
              head: { serviceName: 'mnist-v3-xyz12-head-svc' },
              endpoints: { dashboard: '8265' },
            },
          },
        },
        {
          phase: 'ready',
          ready: true,
          rayClusterName: 'mnist-v3-xyz12',
          dashboardUrl:
            'http://mnist-v3-xyz12-head-svc.team-ml.svc.cluster.local:8265',
        },
      ],
      [
        'a RayService still starting',
        service,
        {
          conditions: [
            { type: 'Ready', status: 'False', reason: 'Initializing' },
          ],
        },
        { phase: 'pending', ready: false, message: 'Initializing' },
      ],
    ])('maps %s', async (_name, manifest, status, expected) => {
      await client.create(manifest);
      const plural = `${manifest.kind.toLowerCase()}s`;
      const key = `${plural}/team-ml/${manifest.metadata.name}`;
      api.objects.set(key, { ...api.objects.get(key), status });
      const result = await client.getStatus(
        manifest.kind,
        'team-ml',
        manifest.metadata.name,
      );
      expect(result).toMatchObject(expected);
      expect(api.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: `/apis/ray.io/v1/namespaces/team-ml/${plural}/${manifest.metadata.name}`,
      });
    });

    it('uses the configured dashboard address', async () => {
      const external = new KubeRayClient({
        kubeConfig: api.kubeConfig(),
        dashboardUrl: ({ namespace, serviceName }) =>
          `https://ray.example.com/${namespace}/${serviceName}`,
      });
      await external.create(cluster);
      api.objects.get('rayclusters/team-ml/ml-team').status = {
        state: 'ready',
        ...head,
      };
      expect(
        (await external.getStatus('RayCluster', 'team-ml', 'ml-team'))
          .dashboardUrl,
      ).toBe('https://ray.example.com/team-ml/ml-team-head-svc');
    });

    it('reports a missing cluster as NotFoundError', async () => {
      const attempt = client.getStatus('RayCluster', 'team-ml', 'nope');
      await expect(attempt).rejects.toThrow(NotFoundError);
      await expect(attempt).rejects.toThrow(
        'RayCluster "nope" in namespace "team-ml" not found',
      );
    });
  });

  describe('scaleWorkerGroup', () => {
    beforeEach(() => client.create(cluster));

    it('JSON-patches only the named group, guarded by a test of its name', async () => {
      await client.scaleWorkerGroup('team-ml', 'ml-team', 'gpu-workers', {
        replicas: 2,
        maxReplicas: 4,
      });
      const patch = api.requests.at(-1)!;
      expect(patch.method).toBe('PATCH');
      expect(patch.path).toBe(
        '/apis/ray.io/v1/namespaces/team-ml/rayclusters/ml-team',
      );
      expect(patch.headers['content-type']).toBe('application/json-patch+json');
      expect(patch.body).toEqual([
        {
          op: 'test',
          path: '/spec/workerGroupSpecs/1/groupName',
          value: 'gpu-workers',
        },
        { op: 'add', path: '/spec/workerGroupSpecs/1/minReplicas', value: 0 },
        { op: 'add', path: '/spec/workerGroupSpecs/1/maxReplicas', value: 4 },
        { op: 'add', path: '/spec/workerGroupSpecs/1/replicas', value: 2 },
      ]);
      const stored = api.objects.get('rayclusters/team-ml/ml-team');
      expect(stored.spec.workerGroupSpecs[1]).toMatchObject({
        replicas: 2,
        minReplicas: 0,
        maxReplicas: 4,
      });
      expect(stored.spec.workerGroupSpecs[0]).toMatchObject({
        replicas: 1,
        minReplicas: 1,
        maxReplicas: 3,
      });
    });

    it('clamps replicas into new bounds', async () => {
      await client.scaleWorkerGroup('team-ml', 'ml-team', 'cpu-workers', {
        minReplicas: 2,
      });
      expect(
        api.objects.get('rayclusters/team-ml/ml-team').spec.workerGroupSpecs[0],
      ).toMatchObject({ replicas: 2, minReplicas: 2, maxReplicas: 3 });
    });

    it.each<[string, string, object, any, RegExp]>([
      [
        'an unknown group',
        'tpu-workers',
        { replicas: 1 },
        NotFoundError,
        /has no worker group "tpu-workers"; it has "cpu-workers", "gpu-workers"/,
      ],
      [
        'replicas above max',
        'cpu-workers',
        { replicas: 9 },
        InputError,
        /replicas \(9\) must lie between minReplicas \(1\) and maxReplicas \(3\)/,
      ],
      [
        'min above max',
        'cpu-workers',
        { minReplicas: 5 },
        InputError,
        /minReplicas \(5\) must not exceed maxReplicas \(3\)/,
      ],
      [
        'negative replicas',
        'cpu-workers',
        { replicas: -1 },
        InputError,
        /replicas must be an integer of at least 0/,
      ],
    ])(
      'refuses %s without patching',
      async (_name, group, scale, type, message) => {
        const attempt = client.scaleWorkerGroup(
          'team-ml',
          'ml-team',
          group,
          scale,
        );
        await expect(attempt).rejects.toThrow(type);
        await expect(attempt).rejects.toThrow(message);
        expect(api.requests.filter(r => r.method === 'PATCH')).toHaveLength(0);
      },
    );

    it('refuses fixed replicas on an autoscaling cluster', async () => {
      const autoscaled = buildRayCluster({
        ...identity,
        name: 'auto',
        ...shape,
        autoscaling: { enabled: true },
      });
      await client.create(autoscaled);
      await expect(
        client.scaleWorkerGroup('team-ml', 'auto', 'cpu-workers', {
          replicas: 2,
        }),
      ).rejects.toThrow(
        'RayCluster "auto" scales itself; set minReplicas/maxReplicas instead of replicas',
      );
    });

    it('reports the API server refusing the patch (groups reordered in between) as InputError', async () => {
      api.forcedAnswers.push(
        { status: 200, body: api.objects.get('rayclusters/team-ml/ml-team') },
        {
          status: 422,
          body: {
            kind: 'Status',
            code: 422,
            message:
              'the server rejected our request due to an error in our request',
          },
        },
      );
      await expect(
        client.scaleWorkerGroup('team-ml', 'ml-team', 'cpu-workers', {
          replicas: 2,
        }),
      ).rejects.toThrow(InputError);
    });
  });

  describe('delete', () => {
    it('DELETEs the object and reports a second delete as NotFoundError', async () => {
      await client.create(job);
      await client.delete('RayJob', 'team-ml', 'train-42');
      expect(api.requests.at(-1)).toMatchObject({
        method: 'DELETE',
        path: '/apis/ray.io/v1/namespaces/team-ml/rayjobs/train-42',
        query: { propagationPolicy: 'Background' },
      });
      expect(api.objects.size).toBe(0);
      const again = client.delete('RayJob', 'team-ml', 'train-42');
      await expect(again).rejects.toThrow(NotFoundError);
      await expect(again).rejects.toThrow(
        'RayJob "train-42" in namespace "team-ml" not found',
      );
    });
  });

  describe('readDashboardToken', () => {
    const token = 'ray-token-4f1c2b9e7d';
    const secret = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'team-ml' },
      data: { auth_token: Buffer.from(token).toString('base64') },
    });

    it('reads the Secret KubeRay created for the RayCluster', async () => {
      await client.create(cluster);
      api.secrets.set('team-ml/ml-team', secret('ml-team'));
      await expect(
        client.readDashboardToken('RayCluster', 'team-ml', 'ml-team'),
      ).resolves.toBe(token);
      expect(api.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: '/api/v1/namespaces/team-ml/secrets/ml-team',
      });
    });

    it('reads the Secret of the cluster a RayJob created', async () => {
      await client.create(job);
      api.objects.get('rayjobs/team-ml/train-42').status = {
        rayClusterName: 'train-42-abcde',
      };
      api.secrets.set('team-ml/train-42-abcde', secret('train-42-abcde'));
      await expect(
        client.readDashboardToken('RayJob', 'team-ml', 'train-42'),
      ).resolves.toBe(token);
    });

    it('says so when the RayJob has no cluster yet', async () => {
      await client.create(job);
      await expect(
        client.readDashboardToken('RayJob', 'team-ml', 'train-42'),
      ).rejects.toThrow(
        'RayJob "train-42" in namespace "team-ml" has no Ray cluster yet',
      );
    });

    it('reports a missing Secret as NotFoundError', async () => {
      await client.create(cluster);
      const attempt = client.readDashboardToken(
        'RayCluster',
        'team-ml',
        'ml-team',
      );
      await expect(attempt).rejects.toThrow(NotFoundError);
      await expect(attempt).rejects.toThrow(
        'Secret "ml-team" in namespace "team-ml" not found',
      );
    });

    it('reports a Secret without the token key', async () => {
      await client.create(cluster);
      api.secrets.set('team-ml/ml-team', {
        ...secret('ml-team'),
        data: { other: 'eA==' },
      });
      await expect(
        client.readDashboardToken('RayCluster', 'team-ml', 'ml-team'),
      ).rejects.toThrow(
        'Secret "ml-team" in namespace "team-ml" has no "auth_token" key',
      );
    });
  });
});
