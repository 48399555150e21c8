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
  name: string;
  owner: string;
  description: string;
  created_by: string;
  created_at: Date | string | number;
};

type VersionRow = {
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

/** Custom models and their versions in the experiments plugin's database (migrations of the plugin). */
export class CustomModelStore {
  constructor(private readonly knex: Knex) {}

  /** Models (with their versions, newest first) whose owner matches `filter`; all without one. */
  async list(filter?: PermissionCriteria<OwnerQuery>): Promise<CustomModel[]> {
    const query = this.knex<ModelRow>(MODELS).orderBy('name');
    if (filter) whereOwner(query, filter);
    const models: ModelRow[] = await query;
    if (models.length === 0) return [];
    const versions = (await this.knex(VERSIONS)
      .whereIn(
        'model_name',
        models.map(m => m.name),
      )
      .select(VERSION_COLUMNS)
      .orderBy('version', 'desc')) as VersionRow[];
    return models.map(m =>
      toModel(
        m,
        versions.filter(v => v.model_name === m.name),
      ),
    );
  }

  async get(name: string): Promise<CustomModel | undefined> {
    const row = await this.knex<ModelRow>(MODELS).where({ name }).first();
    if (!row) return undefined;
    const versions = (await this.knex(VERSIONS)
      .where({ model_name: name })
      .select(VERSION_COLUMNS)
      .orderBy('version', 'desc')) as VersionRow[];
    return toModel(row, versions);
  }

  async getMany(names: string[]): Promise<CustomModel[]> {
    const found = await Promise.all(names.map(n => this.get(n)));
    return found.filter((m): m is CustomModel => m !== undefined);
  }

  /** One version with its source. */
  async getVersion(
    name: string,
    version: number,
  ): Promise<CustomModelVersion | undefined> {
    const row: VersionRow | undefined = await this.knex<VersionRow>(VERSIONS)
      .where({ model_name: name, version })
      .first();
    return row && { ...toVersion(row), source: row.source };
  }

  async findBySha256(
    name: string,
    sha256: string,
  ): Promise<CustomModelVersion | undefined> {
    const row = (await this.knex(VERSIONS)
      .where({ model_name: name, sha256 })
      .select(VERSION_COLUMNS)
      .first()) as VersionRow | undefined;
    return row && toVersion(row);
  }

  /**
   * Stores a checked module as the next version of `name`, creating the model (owned by `owner`)
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
    return this.knex.transaction(async tx => {
      const now = new Date();
      const existing = await tx<ModelRow>(MODELS)
        .where({ name: options.name })
        .first();
      if (!existing) {
        await tx<ModelRow>(MODELS).insert({
          name: options.name,
          owner: options.owner,
          description: options.description ?? '',
          created_by: options.createdBy,
          created_at: now,
        });
      } else if (options.description !== undefined) {
        await tx<ModelRow>(MODELS)
          .where({ name: options.name })
          .update({ description: options.description });
      }
      const last = await tx<VersionRow>(VERSIONS)
        .where({ model_name: options.name })
        .max('version as max')
        .first();
      const version =
        Number((last as { max?: number } | undefined)?.max ?? 0) + 1;
      const row: VersionRow = {
        model_name: options.name,
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
