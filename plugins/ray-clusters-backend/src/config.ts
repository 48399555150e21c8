import { Config } from '@backstage/config';
import { resolve } from 'node:path';

export type TeamQuota = {
  maxClusters: number;
  maxCpus: number;
  maxGpus: number;
};

export type LocalDriverConfig = {
  /** The `ray` executable of the Python environment Ray is installed in. */
  rayExecutable: string;
  /** Parent of the clusters' Ray temp folders; short, since Ray puts unix sockets there. */
  tempRoot: string;
  objectStoreBytes: number;
  startTimeoutMs: number;
  /** Restarts of a crashed head before the cluster is marked failed. */
  maxRestarts: number;
  /** Wait before the first restart; doubles with each further one. */
  restartBackoffMs: number;
  /** How often running clusters are checked for idleness. */
  idleCheckMs: number;
  /**
   * Where each head's Prometheus scrape target is written (file-based service discovery);
   * undefined: nowhere.
   */
  prometheusTargetsDir?: string;
  /** The Prometheus the heads' dashboards read their metrics from (RAY_PROMETHEUS_HOST). */
  prometheusUrl?: string;
};

export type KubeRayConfig = {
  kubeconfig: string;
  context?: string;
  namespace: string;
};

const UNLIMITED: TeamQuota = {
  maxClusters: Number.POSITIVE_INFINITY,
  maxCpus: Number.POSITIVE_INFINITY,
  maxGpus: Number.POSITIVE_INFINITY,
};

export function readLocalDriverConfig(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): LocalDriverConfig {
  const local = config.getOptionalConfig('mlops.rayClusters.local');
  const venv =
    env.MLOPS_VENV || local?.getOptionalString('venv') || resolve('.venv');
  return {
    rayExecutable: resolve(venv, 'bin', 'ray'),
    tempRoot: local?.getOptionalString('tempRoot') ?? '/tmp',
    objectStoreBytes:
      local?.getOptionalNumber('objectStoreBytes') ?? 500_000_000,
    startTimeoutMs:
      (local?.getOptionalNumber('startTimeoutSeconds') ?? 180) * 1000,
    maxRestarts: local?.getOptionalNumber('maxRestarts') ?? 3,
    restartBackoffMs: local?.getOptionalNumber('restartBackoffMs') ?? 2_000,
    idleCheckMs: (local?.getOptionalNumber('idleCheckSeconds') ?? 30) * 1000,
    prometheusTargetsDir: local?.getOptionalString('prometheusTargetsDir'),
    prometheusUrl: config.getOptionalString(
      'mlops.monitoring.prometheus.baseUrl',
    ),
  };
}

export function readKubeRayConfig(config: Config): KubeRayConfig | undefined {
  const kuberay = config.getOptionalConfig('mlops.rayClusters.kuberay');
  if (!kuberay) return undefined;
  return {
    kubeconfig: kuberay.getString('kubeconfig'),
    context: kuberay.getOptionalString('context'),
    namespace: kuberay.getOptionalString('namespace') ?? 'ray-clusters',
  };
}

/** The quota of each team: its own entry, else the default entry, else no limit. */
export function readQuotas(config: Config): (team: string) => TeamQuota {
  const quotas = config.getOptionalConfig('mlops.rayClusters.quotas');
  const read = (c: Config | undefined, base: TeamQuota): TeamQuota => ({
    maxClusters: c?.getOptionalNumber('maxClusters') ?? base.maxClusters,
    maxCpus: c?.getOptionalNumber('maxCpus') ?? base.maxCpus,
    maxGpus: c?.getOptionalNumber('maxGpus') ?? base.maxGpus,
  });
  const fallback = read(quotas?.getOptionalConfig('default'), UNLIMITED);
  const teams = new Map(
    (quotas?.getOptionalConfigArray('teams') ?? []).map(entry => [
      entry.getString('team'),
      read(entry, fallback),
    ]),
  );
  return team => teams.get(team) ?? fallback;
}
