import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import { ModelDeployment } from '@internal/backstage-plugin-serving-common';
import {
  MLFLOW_OWNER_TAG,
  MlflowRestClient,
  ScheduledEntityProvider,
  ScheduledEntityProviderOptions,
} from '@internal/mlops-node';
import {
  DATASET_ID_ANNOTATION,
  datasetEntities,
} from './DatasetEntityProvider';
import {
  deploymentApiEntities,
  MODEL_NAME_ANNOTATION,
} from './DeploymentApiEntityProvider';
import { entityName } from './entityNames';

/** The newest version of the model. */
export const MODEL_LATEST_VERSION_ANNOTATION =
  'mlops-portal.io/model-latest-version';
/** The model's aliases and their versions, as JSON, e.g. `{"champion":"3","challenger":"4"}`. */
export const MODEL_ALIASES_ANNOTATION = 'mlops-portal.io/model-aliases';
/** The version the lineage annotations describe: the champion, or else the newest. */
export const MODEL_LINEAGE_VERSION_ANNOTATION =
  'mlops-portal.io/model-lineage-version';
/** MLflow run that trained that version. */
export const MODEL_TRAINING_RUN_ANNOTATION = 'mlops-portal.io/training-run-id';
/** Dataset (id in the datasets plugin) and dataset version that version was trained on. */
export const MODEL_DATASET_ANNOTATION = 'mlops-portal.io/trained-on-dataset';
export const MODEL_DATASET_VERSION_ANNOTATION =
  'mlops-portal.io/trained-on-dataset-version';

type Tag = { key: string; value: string };

/** A registered model as MLflow's search answers it. */
export type RegisteredModel = {
  name: string;
  description?: string;
  latest_versions?: { version: string }[];
  tags?: Tag[];
  aliases?: { alias: string; version: string }[];
};

/** The facts of one model version that the entity shows. */
export type ModelVersionFacts = {
  runId?: string;
  datasetId?: string;
  datasetVersion?: string;
};

const PAGE_SIZE = 1000;

const tag = (tags: Tag[] | undefined, key: string) =>
  tags?.find(t => t.key === key)?.value;

function newestVersion(model: RegisteredModel): string | undefined {
  const versions = (model.latest_versions ?? []).map(v => Number(v.version));
  return versions.length ? String(Math.max(...versions)) : undefined;
}

/** The version whose lineage the entity shows: the champion, or the newest. */
export function lineageVersion(model: RegisteredModel): string | undefined {
  return (
    model.aliases?.find(a => a.alias === 'champion')?.version ??
    newestVersion(model)
  );
}

export function modelEntity(
  model: RegisteredModel,
  related: {
    facts?: ModelVersionFacts;
    /** The dataset entity's name, when the version's dataset is in the catalog. */
    datasetEntity?: string;
    /** Names of the API entities of the model's deployments. */
    apis: string[];
  },
  portalUrl: string,
): Entity | undefined {
  const owner = tag(model.tags, MLFLOW_OWNER_TAG);
  if (!owner) return undefined;
  const latest = newestVersion(model);
  const lineage = lineageVersion(model);
  const aliases = Object.fromEntries(
    (model.aliases ?? []).map(a => [a.alias, a.version]),
  );
  const { facts, datasetEntity, apis } = related;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: entityName(model.name, 'model'),
      title: model.name,
      description:
        model.description ||
        `Machine learning model registered in MLflow${
          latest ? `, newest version ${latest}` : ''
        }.`,
      tags: ['ml-model', 'mlflow'],
      annotations: {
        [MODEL_NAME_ANNOTATION]: model.name,
        ...(latest && { [MODEL_LATEST_VERSION_ANNOTATION]: latest }),
        [MODEL_ALIASES_ANNOTATION]: JSON.stringify(aliases),
        ...(lineage && { [MODEL_LINEAGE_VERSION_ANNOTATION]: lineage }),
        ...(facts?.runId && { [MODEL_TRAINING_RUN_ANNOTATION]: facts.runId }),
        ...(facts?.datasetId && {
          [MODEL_DATASET_ANNOTATION]: facts.datasetId,
        }),
        ...(facts?.datasetVersion && {
          [MODEL_DATASET_VERSION_ANNOTATION]: facts.datasetVersion,
        }),
      },
      links: lineage
        ? [
            {
              url: `${portalUrl}/serving?deploy=${encodeURIComponent(
                model.name,
              )}&version=${encodeURIComponent(lineage)}`,
              title: `Deploy version ${lineage} in the portal`,
            },
          ]
        : [],
    },
    spec: {
      type: 'ml-model',
      lifecycle: aliases.champion ? 'production' : 'experimental',
      owner,
      ...(datasetEntity && {
        dependsOn: [`resource:default/${datasetEntity}`],
      }),
      ...(apis.length && {
        providesApis: apis.map(api => `api:default/${api}`),
      }),
    },
  };
}

/**
 * Every registered model of MLflow that belongs to a team (owner tag) as a Component of type
 * `ml-model`: its versions and aliases, the lineage of its champion (or newest) version — the
 * training run and the dataset version, `dependsOn` the dataset's Resource — and `providesApis`
 * the API entities of its deployments.
 *
 * Incremental: each run reads MLflow's registered models (one search call per 1,000 models) and
 * a version's lineage only once (versions do not change their run or dataset), and applies only
 * the entities that changed or disappeared (a delta mutation); the first run replaces all.
 */
export class ModelEntityProvider extends ScheduledEntityProvider {
  /** What the catalog has from this provider, by entity ref, as JSON. */
  private applied?: Map<string, string>;
  private readonly versionFacts = new Map<string, ModelVersionFacts>();

  constructor(
    private readonly sources: {
      mlflow: MlflowRestClient;
      datasets: { list(): Promise<Dataset[]> };
      deployments: { list(): Promise<ModelDeployment[]> };
    },
    private readonly portalUrl: string,
    options: ScheduledEntityProviderOptions,
  ) {
    super('mlops-models', 'mlops-model-entity-provider', options);
  }

  /** The first run replaces all; later runs send only the entities that changed or left. */
  protected async apply(
    connection: EntityProviderConnection,
    entities: Entity[],
  ): Promise<void> {
    const next = new Map(
      entities.map(entity => [
        stringifyEntityRef(entity),
        JSON.stringify(entity),
      ]),
    );
    const previous = this.applied;
    if (!previous) {
      await super.apply(connection, entities);
      this.applied = next;
      return;
    }
    const changed = [...next].filter(
      ([ref, json]) => previous.get(ref) !== json,
    );
    const removed = [...previous.keys()].filter(ref => !next.has(ref));
    if (changed.length || removed.length) {
      await connection.applyMutation({
        type: 'delta',
        added: changed.map(([, json]) => ({
          entity: JSON.parse(json) as Entity,
          locationKey: this.location,
        })),
        removed: removed.map(entityRef => ({
          entityRef,
          locationKey: this.location,
        })),
      });
    }
    this.applied = next;
  }

  protected async readEntities(): Promise<Entity[]> {
    const [models, datasets, deployments] = await Promise.all([
      this.registeredModels(),
      this.sources.datasets.list(),
      this.sources.deployments.list(),
    ]);
    const datasetNames = new Map(
      datasetEntities(datasets, this.portalUrl).map(entity => [
        entity.metadata.annotations?.[DATASET_ID_ANNOTATION],
        entity.metadata.name,
      ]),
    );
    const apis = new Map<string, string[]>();
    for (const api of deploymentApiEntities(deployments, this.portalUrl)) {
      const model = api.metadata.annotations?.[MODEL_NAME_ANNOTATION] ?? '';
      apis.set(model, [...(apis.get(model) ?? []), api.metadata.name]);
    }
    const entities: Entity[] = [];
    const names = new Set<string>();
    for (const model of models) {
      const version = lineageVersion(model);
      const facts = version ? await this.facts(model.name, version) : undefined;
      const entity = modelEntity(
        model,
        {
          facts,
          datasetEntity: facts?.datasetId && datasetNames.get(facts.datasetId),
          apis: apis.get(model.name) ?? [],
        },
        this.portalUrl,
      );
      // Two MLflow names that slug alike: the first keeps the entity.
      if (entity && !names.has(entity.metadata.name)) {
        names.add(entity.metadata.name);
        entities.push(entity);
      }
    }
    return entities;
  }

  private async registeredModels(): Promise<RegisteredModel[]> {
    const models: RegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const answer = await this.sources.mlflow.call<{
        registered_models?: RegisteredModel[];
        next_page_token?: string;
      }>('GET', '/api/2.0/mlflow/registered-models/search', {
        max_results: String(PAGE_SIZE),
        ...(pageToken && { page_token: pageToken }),
      });
      if (!answer.ok) {
        throw new Error(
          `MLflow refused to list registered models (${answer.status}): ${answer.message}`,
        );
      }
      models.push(...(answer.body.registered_models ?? []));
      pageToken = answer.body.next_page_token;
    } while (pageToken);
    return models;
  }

  /** A version's run and dataset, read from MLflow once per version. */
  private async facts(
    name: string,
    version: string,
  ): Promise<ModelVersionFacts | undefined> {
    const key = `${name}\u0000${version}`;
    const known = this.versionFacts.get(key);
    if (known) return known;
    const answer = await this.sources.mlflow.call<{
      model_version: { run_id?: string; tags?: Tag[] };
    }>('GET', '/api/2.0/mlflow/model-versions/get', { name, version });
    if (!answer.ok) return undefined;
    const { run_id: runId, tags } = answer.body.model_version;
    const facts = {
      runId: runId || undefined,
      datasetId: tag(tags, 'mlops.dataset.id'),
      datasetVersion: tag(tags, 'mlops.dataset.version'),
    };
    this.versionFacts.set(key, facts);
    return facts;
  }
}
