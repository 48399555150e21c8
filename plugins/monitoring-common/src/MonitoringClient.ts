import { ResponseError } from '@backstage/errors';
import {
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { DefaultApiClient, TypedResponse } from './schema/openapi';
import { Charts, ChartWindow } from './types';

/**
 * Client of the monitoring backend: the generated OpenAPI client, with error answers thrown as
 * ResponseError carrying the backend's message.
 *
 * @public
 */
export class MonitoringClient extends MlopsApiClient {
  private readonly api: DefaultApiClient;

  constructor(options: MlopsClientOptions) {
    super('monitoring', options);
    this.api = new DefaultApiClient(options);
  }

  async getClusterCharts(
    name: string,
    window: ChartWindow = '1h',
  ): Promise<Charts> {
    return body(
      await this.api.getClusterCharts({ path: { name }, query: { window } }),
    );
  }

  async getJobCharts(id: string): Promise<Charts> {
    return body(await this.api.getJobCharts({ path: { id } }));
  }

  async getPlatformCharts(window: ChartWindow = '1h'): Promise<Charts> {
    return body(await this.api.getPlatformCharts({ query: { window } }));
  }
}

async function body<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return response.json();
}
