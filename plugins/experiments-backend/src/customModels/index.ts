import {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  customModelPermissions,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';
import express from 'express';
import { Knex } from 'knex';
import { RayClusters } from '../service/RayClusters';
import { readCustomModelsConfig } from './config';
import { CustomModelChecker } from './CustomModelChecker';
import { CustomModelStore } from './CustomModelStore';
import {
  customModelOwnerRule,
  customModelResourceRef,
} from './permissionRules';
import {
  createCustomModelsRouter,
  readableCustomModelTemplates,
} from './router';

/** The image template whose training loop custom models train with. */
const BASE_TEMPLATE_ID = 'mnist-cnn';

/**
 * Custom models of the experiments plugin: their routes, permissions and resource type, and the
 * model templates of their versions.
 */
export class CustomModels {
  readonly router: express.Router;
  private readonly store: CustomModelStore;

  constructor(
    private readonly deps: {
      config: RootConfigService;
      knex: Knex;
      clusters: RayClusters;
      runtimePath: string;
      defaultCluster: string;
      logger: LoggerService;
      httpAuth: HttpAuthService;
      userInfo: UserInfoService;
      permissions: PermissionsService;
      permissionsRegistry: PermissionsRegistryService;
    },
  ) {
    const settings = readCustomModelsConfig(deps.config, deps.defaultCluster);
    this.store = new CustomModelStore(deps.knex);
    deps.permissionsRegistry.addPermissions(customModelPermissions);
    deps.permissionsRegistry.addResourceType({
      resourceRef: customModelResourceRef,
      rules: [customModelOwnerRule],
      getResources: names => this.store.getMany(names),
    });
    this.router = createCustomModelsRouter({
      ...deps,
      store: this.store,
      checker: new CustomModelChecker({
        clusters: deps.clusters,
        cluster: settings.cluster,
        runtimePath: deps.runtimePath,
        timeoutMs: settings.checkTimeoutMs,
        logger: deps.logger.child({ component: 'custom-models' }),
      }),
      maxSourceBytes: settings.maxSourceBytes,
    });
  }

  /** The custom model versions the caller may read, as model templates. */
  templates(
    credentials: BackstageCredentials,
    builtIn: ModelTemplate[],
  ): Promise<ModelTemplate[]> {
    return readableCustomModelTemplates(
      { ...this.deps, store: this.store },
      credentials,
      builtIn.find(t => t.id === BASE_TEMPLATE_ID),
    );
  }
}
