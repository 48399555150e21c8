import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { DriftMonitor } from './types';

/**
 * Typed client of the drift backend.
 *
 * @public
 */
export class DriftClient extends MlopsApiClient {
  constructor(options: MlopsClientOptions) {
    super('drift', options);
  }

  listMonitors(): Promise<ItemList<DriftMonitor>> {
    return this.request('/monitors');
  }
}
