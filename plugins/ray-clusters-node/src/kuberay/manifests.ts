import { InputError } from '@backstage/errors';
import { stringify } from 'yaml';
import {
  MAX_RAY_CLUSTER_NAME_LENGTH,
  MAX_RAY_JOB_OR_SERVICE_NAME_LENGTH,
} from './names';
import { buildRayClusterSpec, portalMetadata } from './rayClusterSpec';
import {
  KUBERAY_API_VERSION,
  RayClusterInput,
  RayClusterManifest,
  RayJobInput,
  RayJobManifest,
  RayJobSubmissionMode,
  RayServiceInput,
  RayServiceManifest,
} from './types';

/** How long a finished RayJob (and its cluster's record) stays, so its logs and status can be read. */
export const DEFAULT_RAY_JOB_TTL_SECONDS = 600;

const SUBMISSION_MODES: RayJobSubmissionMode[] = [
  'K8sJobMode',
  'HTTPMode',
  'InteractiveMode',
  'SidecarMode',
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A team's long-lived RayCluster in the team's namespace. */
export function buildRayCluster(input: RayClusterInput): RayClusterManifest {
  const metadata = portalMetadata(input, 'team-cluster', {
    maxLength: MAX_RAY_CLUSTER_NAME_LENGTH,
  });
  return {
    apiVersion: KUBERAY_API_VERSION,
    kind: 'RayCluster',
    metadata,
    spec: buildRayClusterSpec(input, metadata.labels),
  };
}

function optionalSeconds(
  field: string,
  value: number | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > 2147483647) {
    throw new InputError(
      `${field} must be a whole number of seconds of at least ${min}, not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

/**
 * Profile "one cluster per job": a RayJob with its own cluster, which KubeRay creates for the job
 * and deletes once the job finishes (after ttlSecondsAfterFinished).
 */
export function buildRayJob(input: RayJobInput): RayJobManifest {
  const metadata = portalMetadata(input, 'job-cluster', {
    maxLength: MAX_RAY_JOB_OR_SERVICE_NAME_LENGTH,
  });
  if (typeof input.entrypoint !== 'string' || !input.entrypoint.trim()) {
    throw new InputError(
      'entrypoint is required, e.g. "python -m runtime.train"',
    );
  }
  const submissionMode = input.submissionMode ?? 'K8sJobMode';
  if (!SUBMISSION_MODES.includes(submissionMode)) {
    throw new InputError(
      `submissionMode must be one of ${SUBMISSION_MODES.join(
        ', ',
      )}, not ${JSON.stringify(submissionMode)}`,
    );
  }
  if (input.runtimeEnv !== undefined && !isPlainObject(input.runtimeEnv)) {
    throw new InputError(
      'runtimeEnv must be an object such as { "pip": ["torch"] }',
    );
  }
  const ttl =
    optionalSeconds(
      'ttlSecondsAfterFinished',
      input.ttlSecondsAfterFinished,
      0,
    ) ?? DEFAULT_RAY_JOB_TTL_SECONDS;
  const deadline = optionalSeconds(
    'activeDeadlineSeconds',
    input.activeDeadlineSeconds,
    1,
  );
  return {
    apiVersion: KUBERAY_API_VERSION,
    kind: 'RayJob',
    metadata,
    spec: {
      entrypoint: input.entrypoint,
      ...(input.runtimeEnv && Object.keys(input.runtimeEnv).length
        ? { runtimeEnvYAML: stringify(input.runtimeEnv) }
        : {}),
      submissionMode,
      shutdownAfterJobFinishes: true,
      ttlSecondsAfterFinished: ttl,
      ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
      rayClusterSpec: buildRayClusterSpec(input.cluster, metadata.labels),
    },
  };
}

/** A RayService: Ray Serve applications (serveConfigV2) on a cluster KubeRay keeps running and upgrades. */
export function buildRayService(input: RayServiceInput): RayServiceManifest {
  const metadata = portalMetadata(input, 'serving', {
    maxLength: MAX_RAY_JOB_OR_SERVICE_NAME_LENGTH,
  });
  const applications = input.serveConfig?.applications;
  if (!Array.isArray(applications) || applications.length === 0) {
    throw new InputError(
      'serveConfig.applications must list at least one Serve application',
    );
  }
  applications.forEach((app, index) => {
    for (const key of ['name', 'import_path'] as const) {
      if (!isPlainObject(app) || typeof app[key] !== 'string' || !app[key]) {
        throw new InputError(
          `serveConfig.applications[${index}].${key} is required and must be a non-empty string`,
        );
      }
    }
  });
  return {
    apiVersion: KUBERAY_API_VERSION,
    kind: 'RayService',
    metadata,
    spec: {
      serveConfigV2: stringify(input.serveConfig),
      rayClusterConfig: buildRayClusterSpec(input.cluster, metadata.labels),
    },
  };
}
