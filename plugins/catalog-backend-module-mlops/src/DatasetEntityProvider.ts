import { Entity } from '@backstage/catalog-model';
import { Dataset } from '@internal/backstage-plugin-datasets-common';
import {
  ScheduledEntityProvider,
  ScheduledEntityProviderOptions,
} from '@internal/mlops-node';
import { uniqueEntityNames } from './entityNames';

/** Annotation with the dataset's id in the datasets plugin. */
export const DATASET_ID_ANNOTATION = 'mlops-portal.io/dataset-id';
/** Annotation with the id of the dataset's newest immutable version. */
export const DATASET_VERSION_ANNOTATION = 'mlops-portal.io/dataset-version';
export const DATASET_FORMAT_ANNOTATION = 'mlops-portal.io/dataset-format';

const TAG = /^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$/;

export function datasetEntity(
  dataset: Dataset,
  name: string,
  portalUrl: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      title: dataset.name,
      description:
        dataset.description ||
        `Dataset${dataset.format ? ` (${dataset.format})` : ''}`,
      tags: [
        'dataset',
        ...(dataset.format && TAG.test(dataset.format) ? [dataset.format] : []),
      ],
      annotations: {
        [DATASET_ID_ANNOTATION]: dataset.id,
        ...(dataset.latestVersion && {
          [DATASET_VERSION_ANNOTATION]: dataset.latestVersion,
        }),
        ...(dataset.format && { [DATASET_FORMAT_ANNOTATION]: dataset.format }),
      },
      links: [
        {
          url: `${portalUrl}/datasets/${encodeURIComponent(dataset.id)}`,
          title: 'Dataset in the portal',
        },
      ],
    },
    spec: { type: 'dataset', owner: dataset.owner },
  };
}

/**
 * Entities of all datasets. Names are unique per team in the portal but per namespace in the
 * catalog: the oldest dataset keeps the plain name, later ones get their id's start appended.
 */
export function datasetEntities(
  datasets: Dataset[],
  portalUrl: string,
): Entity[] {
  return uniqueEntityNames(datasets, d => d.name, 'dataset').map(
    ([dataset, name]) => datasetEntity(dataset, name, portalUrl),
  );
}

/**
 * Every dataset of the portal as a Resource entity of type dataset, owned by its team, with its
 * latest version in an annotation. Each refresh replaces the provider's entities (a full
 * mutation), so deleted datasets leave the catalog.
 */
export class DatasetEntityProvider extends ScheduledEntityProvider {
  constructor(
    private readonly datasets: { list(): Promise<Dataset[]> },
    private readonly portalUrl: string,
    options: ScheduledEntityProviderOptions,
  ) {
    super('mlops-datasets', 'mlops-dataset-entity-provider', options);
  }

  protected async readEntities(): Promise<Entity[]> {
    return datasetEntities(await this.datasets.list(), this.portalUrl);
  }
}
