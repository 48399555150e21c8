import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { Dataset } from './types';

/**
 * Typed client of the datasets backend.
 *
 * @public
 */
export class DatasetsClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('datasets', options);
  }

  listDatasets(): Promise<ItemList<Dataset>> {
    return this.request('/datasets');
  }
}
