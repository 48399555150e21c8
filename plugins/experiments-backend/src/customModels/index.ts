import {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CustomModelVersionRef,
  customModelPermissions,
  HyperparameterSchema,
  ModelTemplate,
  parseCustomModelTemplateId,
} from '@internal/backstage-plugin-experiments-common';
import express from 'express';
import { Knex } from 'knex';
import {
  LoadedTemplate,
  loadTemplate,
  TemplateCatalog,
} from '../catalog/TemplateCatalog';
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
  readableCustomModel,
  readableCustomModelTemplates,
} from './router';
import { customModelTemplates } from './templates';

/** The image template whose training loop custom models train with. */
export const CUSTOM_MODEL_BASE_TEMPLATE_ID = 'mnist-cnn';

/** The model template of a custom model version, and the version a job of it trains. */
export type LoadedCustomTemplate = LoadedTemplate & {
  customModel: Required<CustomModelVersionRef> & { sha256: string };
};

/** What the runtime needs to train a custom model version (see `mlops_runtime.custom_model`). */
export type CustomModelJobConfig = {
  name: string;
  version: number;
  sha256: string;
  source: string;
  hyperparameterSchema: HyperparameterSchema;
};

/**
 * Custom models of the experiments plugin: their routes, permissions and resource type, and the
 * model templates of their versions.
 */
export class CustomModels {
  readonly router: express.Router;
  private readonly store: CustomModelStore;
  /** Versions are immutable: each template is compiled once. */
  private readonly loaded = new Map<string, LoadedCustomTemplate>();

  constructor(
    private readonly deps: {
      config: RootConfigService;
      knex: Knex;
      templates: TemplateCatalog;
      clusters: RayClusters;
      runtimePath: string;
      defaultCluster: string;
      maxBodyDepth: number;
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
      getResources: ids => this.store.getMany(ids),
    });
    this.router = createCustomModelsRouter({
      ...deps,
      store: this.store,
      checker: new CustomModelChecker({
        clusters: deps.clusters,
        runtimePath: deps.runtimePath,
        timeoutMs: settings.checkTimeoutMs,
        logger: deps.logger.child({ component: 'custom-models' }),
      }),
      checkCluster: settings.cluster,
      maxSourceBytes: settings.maxSourceBytes,
    });
  }

  /** The custom model versions the caller may read, as model templates. */
  templates(credentials: BackstageCredentials): Promise<ModelTemplate[]> {
    return readableCustomModelTemplates(
      { ...this.deps, store: this.store },
      credentials,
      this.base(),
    );
  }

  /**
   * The template of `custom:<name>@<version>` for a job of `owner` submitted by the caller: the
   * model of that name `owner` has, else the only one the caller may read. 400 for a malformed
   * id, 404 where the version does not exist or the caller's teams may not read the model.
   */
  async load(
    credentials: BackstageCredentials,
    templateId: string,
    owner: string,
  ): Promise<LoadedCustomTemplate> {
    const ref = parseCustomModelTemplateId(templateId);
    if (!ref) {
      throw new InputError(
        `templateId: "${templateId}" is not a custom model version: write custom:<name>@<version>, e.g. custom:my-cnn@1`,
      );
    }
    const model = await readableCustomModel(
      { ...this.deps, store: this.store },
      credentials,
      ref.name,
      { preferredOwner: owner },
    );
    const key = `${model.owner} ${templateId}`;
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const version = model.versions.find(v => v.version === ref.version);
    if (!version) {
      throw new NotFoundError(
        `Custom model "${ref.name}" has no version ${ref.version}`,
      );
    }
    const [template] = customModelTemplates(
      [{ ...model, versions: [version] }],
      this.base(),
    );
    const loaded = {
      ...loadTemplate(template),
      customModel: { ...ref, owner: model.owner, sha256: version.sha256 },
    };
    this.loaded.set(key, loaded);
    return loaded;
  }

  /**
   * The module and hyperparameter schema a job of a custom model version passes to the runtime;
   * for the worker, which submits jobs already authorized when they were created. The version
   * must still have the source the job pinned.
   */
  async jobConfig(
    pin: CustomModelVersionRef & { sha256: string },
  ): Promise<CustomModelJobConfig> {
    const version = await this.store.findPinnedVersion(pin);
    const model = version && (await this.store.get(version.owner, pin.name));
    if (!version?.source || !model) {
      throw new NotFoundError(
        `custom model ${pin.name} version ${pin.version} no longer exists`,
      );
    }
    const [template] = customModelTemplates(
      [{ ...model, versions: [version] }],
      this.base(),
    );
    return {
      name: pin.name,
      version: pin.version,
      sha256: version.sha256,
      source: version.source,
      hyperparameterSchema: template.hyperparameterSchema,
    };
  }

  /** The built-in image template whose training loop custom models train with. */
  private base(): ModelTemplate | undefined {
    return this.deps.templates
      .list()
      .find(t => t.id === CUSTOM_MODEL_BASE_TEMPLATE_ID);
  }
}
