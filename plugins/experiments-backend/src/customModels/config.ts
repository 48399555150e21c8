import { RootConfigService } from '@backstage/backend-plugin-api';

export type CustomModelsConfig = {
  /** The Ray cluster that runs the checks of the team owning it; others use their own. */
  cluster: string;
  checkTimeoutMs: number;
  maxSourceBytes: number;
};

export function readCustomModelsConfig(
  config: RootConfigService,
  defaultCluster: string,
): CustomModelsConfig {
  const section = config.getOptionalConfig('mlops.experiments.customModels');
  return {
    cluster: section?.getOptionalString('checkCluster') ?? defaultCluster,
    checkTimeoutMs:
      (section?.getOptionalNumber('checkTimeoutSeconds') ?? 120) * 1000,
    maxSourceBytes: section?.getOptionalNumber('maxSourceBytes') ?? 65536,
  };
}
