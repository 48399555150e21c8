import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  MlflowCredentials,
  MlflowRestClient,
  MlflowTeamAccess,
  readMlflowCredentials,
} from '@internal/mlops-node';

/** The MLflow aliases a deployment keeps on its registered model. */
export type ServingAlias = 'champion' | 'challenger';

/** The model registry (MLflow) as the serving plugin needs it. */
export interface ModelRegistry {
  /**
   * Succeeds when `version` of registered model `modelName` exists, is ready and belongs to the
   * owner's team: NotFoundError for a model that is missing or another team's, InputError for a
   * missing version.
   */
  checkVersion(
    owner: string,
    modelName: string,
    version: string,
  ): Promise<void>;
  /**
   * The replicas' environment: the tracking URI and the credentials of the team's MLflow user,
   * which is made sure to exist and to read the registered model.
   */
  replicaEnv(owner: string, modelName: string): Promise<Record<string, string>>;
  /** Points an alias of the registered model at a version; undefined removes it. */
  setAlias(
    modelName: string,
    alias: ServingAlias,
    version: string | undefined,
  ): Promise<void>;
}

/** {@link ModelRegistry} on MLflow's REST API, as the portal's admin user. */
export class MlflowModelRegistry implements ModelRegistry {
  private readonly teams: MlflowTeamAccess;
  /** Without authentication MLflow has no users: the replicas need no credentials. */
  private readonly authenticated: boolean;

  constructor(
    private readonly trackingUrl: string,
    admin: MlflowCredentials | undefined,
  ) {
    this.teams = new MlflowTeamAccess(
      new MlflowRestClient(trackingUrl, admin),
      admin ?? { username: '', password: '' },
    );
    this.authenticated = admin !== undefined;
  }

  async checkVersion(owner: string, modelName: string, version: string) {
    await this.teams.getTeamModelVersion(owner, modelName, version);
  }

  async replicaEnv(owner: string, modelName: string) {
    const env: Record<string, string> = {
      MLFLOW_TRACKING_URI: this.trackingUrl,
    };
    if (!this.authenticated) return env;
    const credentials = await this.teams.prepareServing(owner, modelName);
    return {
      ...env,
      MLFLOW_TRACKING_USERNAME: credentials.username,
      MLFLOW_TRACKING_PASSWORD: credentials.password,
    };
  }

  async setAlias(
    modelName: string,
    alias: ServingAlias,
    version: string | undefined,
  ) {
    await this.teams.setAlias(modelName, alias, version);
  }
}

/** A registry for a portal without MLflow: every check says so. */
class MissingModelRegistry implements ModelRegistry {
  private refuse(): never {
    throw new ServiceUnavailableError(
      'MLflow is not configured (mlops.mlflow.trackingUrl): model versions cannot be checked or served',
    );
  }
  async checkVersion(): Promise<void> {
    this.refuse();
  }
  async replicaEnv(): Promise<Record<string, string>> {
    this.refuse();
  }
  async setAlias(): Promise<void> {
    this.refuse();
  }
}

/**
 * The model registry of the serving plugin: MLflow at `mlops.mlflow.trackingUrl`, with the
 * admin account of `mlops.mlflow.username`/`password`. Replaceable in tests of the routes alone.
 */
export const modelRegistryRef = createServiceRef<ModelRegistry>({
  id: 'serving.model-registry',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { config: coreServices.rootConfig },
      factory: ({ config }) => {
        const trackingUrl = config.getOptionalString(
          'mlops.mlflow.trackingUrl',
        );
        return trackingUrl
          ? new MlflowModelRegistry(
              trackingUrl.replace(/\/+$/, ''),
              readMlflowCredentials(config),
            )
          : new MissingModelRegistry();
      },
    }),
});
