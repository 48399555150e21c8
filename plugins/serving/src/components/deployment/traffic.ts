import {
  DeploymentVersion,
  ModelDeploymentDetails,
} from '@internal/backstage-plugin-serving-common';

/** The version other than the champion that gets traffic, if any (the backend allows one). */
export function challengerOf(
  deployment: ModelDeploymentDetails,
): DeploymentVersion | undefined {
  return deployment.versions.find(
    v => v.weight > 0 && v.version !== deployment.modelVersion,
  );
}

/** Weights sending `challengerPercent` (rounded to a whole percent) to the challenger, the rest to the champion. */
export function canaryWeights(
  champion: string,
  challenger: string,
  challengerPercent: number,
): Record<string, number> {
  const percent = Math.min(100, Math.max(0, Math.round(challengerPercent)));
  if (challenger === champion) return { [champion]: 100 };
  return { [champion]: 100 - percent, [challenger]: percent };
}

/** Abort a canary: all traffic back to the champion. */
export function championOnlyWeights(champion: string): Record<string, number> {
  return { [champion]: 100 };
}

/** Versions the deployment can roll back to: every served version that does not already get all traffic. */
export function rollbackTargets(deployment: ModelDeploymentDetails): string[] {
  return deployment.versions
    .filter(v => v.weight < 100)
    .map(v => v.version)
    .reverse();
}

export function roleOf(
  deployment: ModelDeploymentDetails,
  version: DeploymentVersion,
): string {
  if (version.version === deployment.modelVersion) return 'champion';
  if (version.weight > 0) return 'challenger';
  if (deployment.shadow?.version === version.version) return 'shadow';
  return 'kept for rollback';
}
