import { CreateDeploymentRequest } from '@internal/backstage-plugin-serving-common';

/** The "Deploy a model" form as typed: strings, converted once valid. */
export type DeployDraft = {
  name: string;
  modelName: string;
  modelVersion: string;
  cluster: string;
  scaling: 'fixed' | 'autoscaling';
  replicas: string;
  minReplicas: string;
  maxReplicas: string;
  targetOngoingRequests: string;
  cpus: string;
  gpus: string;
};

export type DeployField = keyof DeployDraft;

export const emptyDeployDraft: DeployDraft = {
  name: '',
  modelName: '',
  modelVersion: '',
  cluster: '',
  scaling: 'fixed',
  replicas: '1',
  minReplicas: '1',
  maxReplicas: '4',
  targetOngoingRequests: '2',
  cpus: '1',
  gpus: '0',
};

// Same rules as the backend's CreateDeploymentRequest schema.
const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const VERSION = /^[1-9][0-9]{0,8}$/;

/** A slug for the deployment from the model name: "MNIST_cnn" → "mnist-cnn". */
export function slugFor(modelName: string): string {
  return modelName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

function numberIn(
  value: string,
  min: number,
  max: number,
  integer: boolean,
): string | undefined {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) return 'A number is needed';
  if (integer && !Number.isInteger(n)) return 'A whole number is needed';
  if (n < min || n > max) return `From ${min} to ${max}`;
  return undefined;
}

/** What is wrong with the draft, per field; empty when it can be submitted. */
export function deployDraftProblems(
  draft: DeployDraft,
): Partial<Record<DeployField, string>> {
  const problems: Partial<Record<DeployField, string>> = {};
  if (!SLUG.test(draft.name)) {
    problems.name =
      'Lowercase letters, digits and dashes, at most 63, starting and ending with a letter or digit';
  }
  if (!draft.modelName.trim()) problems.modelName = 'Name a registered model';
  if (!VERSION.test(draft.modelVersion.trim())) {
    problems.modelVersion = 'A registered version number, such as 3';
  }
  if (!draft.cluster) problems.cluster = 'Pick a cluster of your team';
  const checks: [DeployField, string | undefined][] =
    draft.scaling === 'fixed'
      ? [['replicas', numberIn(draft.replicas, 1, 100, true)]]
      : [
          ['minReplicas', numberIn(draft.minReplicas, 0, 100, true)],
          ['maxReplicas', numberIn(draft.maxReplicas, 1, 100, true)],
          [
            'targetOngoingRequests',
            numberIn(draft.targetOngoingRequests, 0.1, 1000, false),
          ],
        ];
  checks.push(['cpus', numberIn(draft.cpus, 0.01, 256, false)]);
  checks.push(['gpus', numberIn(draft.gpus, 0, 16, false)]);
  for (const [field, problem] of checks) {
    if (problem) problems[field] = problem;
  }
  if (
    draft.scaling === 'autoscaling' &&
    !problems.minReplicas &&
    !problems.maxReplicas &&
    Number(draft.minReplicas) > Number(draft.maxReplicas)
  ) {
    problems.maxReplicas = 'At least the minimum';
  }
  return problems;
}

export function requestFromDeployDraft(
  draft: DeployDraft,
): CreateDeploymentRequest {
  return {
    name: draft.name,
    modelName: draft.modelName.trim(),
    modelVersion: draft.modelVersion.trim(),
    cluster: draft.cluster,
    ...(draft.scaling === 'fixed'
      ? { replicas: Number(draft.replicas) }
      : {
          autoscaling: {
            minReplicas: Number(draft.minReplicas),
            maxReplicas: Number(draft.maxReplicas),
            targetOngoingRequests: Number(draft.targetOngoingRequests),
          },
        }),
    cpus: Number(draft.cpus),
    gpus: Number(draft.gpus),
  };
}
