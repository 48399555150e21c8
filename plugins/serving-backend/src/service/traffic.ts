import { ConflictError, InputError } from '@backstage/errors';
import {
  DeploymentVersion,
  ModelDeploymentDetails,
  ShadowTraffic,
} from '@internal/backstage-plugin-serving-common';

/**
 * The traffic rules of a deployment, as pure functions of its stored state.
 *
 * `versions` holds every version the deployment has served, in the order they were added, with
 * the percent of traffic each gets now (0 for those kept only for rollback); `modelVersion` is
 * the champion. A challenger is a version other than the champion with traffic.
 */

const VERSION = /^[1-9][0-9]{0,8}$/;

/** The versions with traffic or shadow traffic: those Ray Serve runs. */
export function liveVersions(deployment: ModelDeploymentDetails): string[] {
  return deployment.versions
    .filter(v => v.weight > 0 || deployment.shadow?.version === v.version)
    .map(v => v.version);
}

export function challengers(deployment: ModelDeploymentDetails): string[] {
  return deployment.versions
    .filter(v => v.weight > 0 && v.version !== deployment.modelVersion)
    .map(v => v.version);
}

/**
 * New weights: they must sum to 100 and may name one version the deployment does not have yet,
 * which joins as the challenger. Versions left out get 0. The shadow version, when given, must
 * be a version of the deployment (or the new one).
 */
export function setTraffic(
  deployment: ModelDeploymentDetails,
  request: { weights: Record<string, number>; shadow?: ShadowTraffic },
): ModelDeploymentDetails {
  const entries = Object.entries(request.weights);
  for (const [version, weight] of entries) {
    if (!VERSION.test(version)) {
      throw new InputError(
        `weights: "${version}" is not a model version (a registered model version number such as "3")`,
      );
    }
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new InputError(
        `weights: the weight of version ${version} must be an integer from 0 to 100, not ${weight}`,
      );
    }
  }
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (total !== 100) {
    throw new InputError(
      `weights must sum to 100 (percent of traffic per version), not ${total}`,
    );
  }
  const known = new Set(deployment.versions.map(v => v.version));
  const added = entries
    .map(([version]) => version)
    .filter(version => !known.has(version));
  if (added.length > 1) {
    throw new InputError(
      `weights: only one new version (the challenger) may be added at a time, not ${added.join(
        ', ',
      )}`,
    );
  }
  const versions: DeploymentVersion[] = [
    ...deployment.versions.map(v => ({
      version: v.version,
      weight: request.weights[v.version] ?? 0,
    })),
    ...added.map(version => ({ version, weight: request.weights[version] })),
  ];
  if (
    request.shadow &&
    !versions.some(v => v.version === request.shadow!.version)
  ) {
    throw new InputError(
      `shadow.version ${
        request.shadow.version
      } is not a version of deployment "${deployment.name}" (${versions
        .map(v => v.version)
        .join(', ')}): give it a weight first, 0 for shadow traffic only`,
    );
  }
  const next = {
    ...deployment,
    versions,
    shadow:
      request.shadow && request.shadow.percent > 0 ? request.shadow : undefined,
  };
  if (challengers(next).length > 1) {
    throw new InputError(
      `weights: traffic may go to the champion (version ${
        deployment.modelVersion
      }) and one challenger, not to ${challengers(next).join(' and ')}`,
    );
  }
  return next;
}

/** The challenger becomes the champion with all traffic; the old champion gets none. */
export function promote(
  deployment: ModelDeploymentDetails,
): ModelDeploymentDetails {
  const [challenger] = challengers(deployment);
  if (!challenger) {
    throw new ConflictError(
      `Deployment "${deployment.name}" has no challenger to promote: give a version traffic first (PUT /deployments/{id}/traffic)`,
    );
  }
  return allTrafficTo(deployment, challenger);
}

/** All traffic back to an earlier version of this deployment. */
export function rollback(
  deployment: ModelDeploymentDetails,
  version: string,
): ModelDeploymentDetails {
  if (!deployment.versions.some(v => v.version === version)) {
    throw new InputError(
      `version ${version} was never served by deployment "${
        deployment.name
      }": it can roll back to ${deployment.versions
        .map(v => v.version)
        .join(', ')}`,
    );
  }
  const current = deployment.versions.find(v => v.version === version)!;
  if (deployment.modelVersion === version && current.weight === 100) {
    throw new ConflictError(
      `version ${version} already serves all traffic of deployment "${deployment.name}"`,
    );
  }
  return allTrafficTo(deployment, version);
}

function allTrafficTo(
  deployment: ModelDeploymentDetails,
  version: string,
): ModelDeploymentDetails {
  return {
    ...deployment,
    modelVersion: version,
    versions: deployment.versions.map(v => ({
      version: v.version,
      weight: v.version === version ? 100 : 0,
    })),
    shadow: undefined,
  };
}

/** Weights as a map, for the history and for Ray Serve. */
export function weightsOf(
  deployment: ModelDeploymentDetails,
): Record<string, number> {
  return Object.fromEntries(
    deployment.versions
      .filter(v => v.weight > 0)
      .map(v => [v.version, v.weight]),
  );
}
