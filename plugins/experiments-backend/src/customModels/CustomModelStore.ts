import { ConflictError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  CustomModel,
  CustomModelVersion,
  CUSTOM_MODEL_TEMPLATE_PREFIX,
  HyperparameterSchema,
} from '@internal/backstage-plugin-experiments-common';
import { OwnerQuery, whereOwner } from '@internal/mlops-node';
import { Knex } from 'knex';

const MODELS = 'custom_models';
const VERSIONS = 'custom_model_versions';

/** A custom model as stored, with its owner for the ownership rule. */
export type StoredCustomModel = CustomModel;

type ModelRow = {
  owner: string;
  name: string;
  description: string;
  created_by: string;
  created_at: Date | string | number;
};

type VersionRow = {
  model_owner: string;
  model_name: string;
  version: number;
  sha256: string;
  source?: string;
  hyperparameter_schema: string | null;
  parameter_count: number | string;
  created_by: string;
  created_at: Date | string | number;
};

/** Every column but the source, which only the single-version answer carries. */
const VERSION_COLUMNS = [
  'model_owner',
  'model_name',
  'version',
  'sha256',
  'hyperparameter_schema',
  'parameter_count',
  'created_by',
  'created_at',
];

export function customModelTemplateId(name: string, version: number) {
  return `${CUSTOM_MODEL_TEMPLATE_PREFIX}${name}@${version}`;
}

/**
 * The permission framework's id of a custom model: names are unique per owner, so the id is
 * `<owner>/<name>`, e.g. `group:default/team-a/tiny-mlp`.
 */
export function customModelResourceId(model: { owner: string; name: string }) {
  return `${model.owner}/${model.name}`;
}

function parseResourceId(id: string): { owner: string; name: string } {
  const slash = id.lastIndexOf('/');
  return { owner: id.slice(0, slash), name: id.slice(slash + 1) };
}

/**
 * Custom models and their versions in the experiments plugin's database (migrations of the
 * plugin). A model is named by its owner and name: names are unique per owning team.
 */
export class CustomModelStore {
  constructor(private readonly knex: Knex) {}

  /** Models (with their versions, newest first) whose owner matches `filter`; all without one. */
  async list(filter?: PermissionCriteria<OwnerQuery>): Promise<CustomModel[]> {
    const query = this.knex<ModelRow>(MODELS).orderBy(['name', 'owner']);
    if (filter) whereOwner(query, filter);
    return this.withVersions(await query);
  }

  /** The model `name` of `owner`. */
  async get(owner: string, name: string): Promise<CustomModel | undefined> {
    const [model] = await this.withVersions(
      await this.knex<ModelRow>(MODELS).where({ owner, name }),
    );
    return model;
  }

  /** Every team's model called `name`. */
  async getByName(name: string): Promise<CustomModel[]> {
    return this.withVersions(
      await this.knex<ModelRow>(MODELS).where({ name }).orderBy('owner'),
    );
  }

  /** The models of permission resource ids (see {@link customModelResourceId}). */
  async getMany(ids: string[]): Promise<(CustomModel | undefined)[]> {
    return Promise.all(
      ids.map(id => {
        const { owner, name } = parseResourceId(id);
        return this.get(owner, name);
      }),
    );
  }

  /** One version with its source. */
  async getVersion(
    model: { owner: string; name: string },
    version: number,
  ): Promise<CustomModelVersion | undefined> {
    const row: VersionRow | undefined = await this.knex<VersionRow>(VERSIONS)
      .where({ model_owner: model.owner, model_name: model.name, version })
      .first();
    return row && { ...toVersion(row), source: row.source };
  }

  /**
   * A version with its source, by name, number and sha256 (what a job pins), and by owner where
   * the job names it (jobs stored before names were per owner do not).
   */
  async findPinnedVersion(pin: {
    owner?: string;
    name: string;
    version: number;
    sha256: string;
  }): Promise<CustomModelVersion | undefined> {
    const query = this.knex<VersionRow>(VERSIONS).where({
      model_name: pin.name,
      version: pin.version,
      sha256: pin.sha256,
    });
    if (pin.owner) query.where({ model_owner: pin.owner });
    const row: VersionRow | undefined = await query.first();
    return row && { ...toVersion(row), source: row.source };
  }

  async findBySha256(
    model: { owner: string; name: string },
    sha256: string,
  ): Promise<CustomModelVersion | undefined> {
    const row = (await this.knex(VERSIONS)
      .where({ model_owner: model.owner, model_name: model.name, sha256 })
      .select(VERSION_COLUMNS)
      .first()) as VersionRow | undefined;
    return row && toVersion(row);
  }

  /**
   * Stores a checked module as the next version of `owner`'s model `name`, creating the model
   * when it is new; in one transaction, so a failure leaves nothing.
   */
  async addVersion(options: {
    name: string;
    owner: string;
    description?: string;
    createdBy: string;
    source: string;
    sha256: string;
    hyperparameterSchema?: HyperparameterSchema;
    parameterCount: number;
  }): Promise<CustomModelVersion> {
    const key = { owner: options.owner, name: options.name };
    const versionKey = { model_owner: options.owner, model_name: options.name };
    try {
      return await this.knex.transaction(async tx => {
        const now = new Date();
        const existing = await tx<ModelRow>(MODELS).where(key).first();
        if (!existing) {
          await tx<ModelRow>(MODELS).insert({
            ...key,
            description: options.description ?? '',
            created_by: options.createdBy,
            created_at: now,
          });
        } else if (options.description !== undefined) {
          await tx<ModelRow>(MODELS)
            .where(key)
            .update({ description: options.description });
        }
        const last = await tx<VersionRow>(VERSIONS)
          .where(versionKey)
          .max('version as max')
          .first();
        const version =
          Number((last as { max?: number } | undefined)?.max ?? 0) + 1;
        const row: VersionRow = {
          ...versionKey,
          version,
          sha256: options.sha256,
          source: options.source,
          hyperparameter_schema: options.hyperparameterSchema
            ? JSON.stringify(options.hyperparameterSchema)
            : null,
          parameter_count: options.parameterCount,
          created_by: options.createdBy,
          created_at: now,
        };
        await tx<VersionRow>(VERSIONS).insert(row);
        return toVersion(row);
      });
    } catch (error) {
      // Two uploads to one model at once: the other one took the name or the version number.
      if (await this.knex<ModelRow>(MODELS).where(key).first()) {
        throw new ConflictError(
          `Another version of custom model "${options.name}" was uploaded at the same time; upload again`,
        );
      }
      throw error;
    }
  }

  private async withVersions(models: ModelRow[]): Promise<CustomModel[]> {
    if (models.length === 0) return [];
    const versions = (await this.knex(VERSIONS)
      .whereIn(
        ['model_owner', 'model_name'],
        models.map(m => [m.owner, m.name]),
      )
      .select(VERSION_COLUMNS)
      .orderBy('version', 'desc')) as VersionRow[];
    return models.map(m =>
      toModel(
        m,
        versions.filter(
          v => v.model_owner === m.owner && v.model_name === m.name,
        ),
      ),
    );
  }
}

function toModel(row: ModelRow, versions: VersionRow[]): CustomModel {
  return {
    name: row.name,
    owner: row.owner,
    description: row.description,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    versions: versions.map(toVersion),
  };
}

function toVersion(row: VersionRow): CustomModelVersion {
  return {
    name: row.model_name,
    owner: row.model_owner,
    version: Number(row.version),
    templateId: customModelTemplateId(row.model_name, Number(row.version)),
    sha256: row.sha256,
    ...(row.hyperparameter_schema && {
      hyperparameterSchema: JSON.parse(row.hyperparameter_schema),
    }),
    parameterCount: Number(row.parameter_count),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
