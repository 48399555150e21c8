import { Config } from '@backstage/config';
import { readMlflowCredentials } from '@internal/mlops-node';
import os from 'node:os';
import path from 'node:path';

export function readProjectsConfig(config: Config) {
  const dataRoot = process.env.MLOPS_DATA;
  return {
    mlflowTrackingUrl: config.getString('mlops.mlflow.trackingUrl'),
    mlflowCredentials: readMlflowCredentials(config),
    localGitRoot:
      config.getOptionalString('mlops.projects.localGitRoot') ??
      (dataRoot
        ? path.join(dataRoot, 'projects')
        : path.join(os.tmpdir(), 'mlops', 'projects')),
  };
}
