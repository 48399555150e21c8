import { DeploymentVersion } from '@internal/backstage-plugin-serving-common';

/** "v3 80% · v4 20%": the versions that get traffic; the champion alone when none is known. */
export function describeWeights(
  champion: string,
  versions?: DeploymentVersion[],
): string {
  const live = (versions ?? []).filter(v => v.weight > 0);
  if (live.length === 0) return `v${champion}`;
  return live.map(v => `v${v.version} ${v.weight}%`).join(' · ');
}
