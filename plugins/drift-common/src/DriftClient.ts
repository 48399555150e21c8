import { ResponseError } from '@backstage/errors';
import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { DefaultApiClient, TypedResponse } from './schema/openapi';
import {
  CreateMonitorRequest,
  DriftCheck,
  DriftMonitor,
  RequestLabel,
} from './types';

/**
 * Client of the drift backend: the generated OpenAPI client, with error answers thrown as
 * ResponseError carrying the backend's message.
 *
 * @public
 */
export class DriftClient extends MlopsApiClient {
  private readonly api: DefaultApiClient;

  constructor(options: MlopsClientOptions) {
    super('drift', options);
    this.api = new DefaultApiClient(options);
  }

  async listMonitors(): Promise<ItemList<DriftMonitor>> {
    return body(await this.api.listMonitors({}));
  }

  async getMonitor(id: string): Promise<DriftMonitor> {
    return body(await this.api.getMonitor({ path: { id } }));
  }

  async createMonitor(request: CreateMonitorRequest): Promise<DriftMonitor> {
    return body(await this.api.createMonitor({ body: request }));
  }

  async deleteMonitor(id: string): Promise<void> {
    const response = await this.api.deleteMonitor({ path: { id } });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response as Response);
    }
  }

  /** The monitor's checks, newest first, without reports. */
  async listChecks(id: string, limit = 20): Promise<ItemList<DriftCheck>> {
    return body(await this.api.listChecks({ path: { id }, query: { limit } }));
  }

  /** Starts a check now; it runs as a Ray job. */
  async runCheck(id: string): Promise<DriftCheck> {
    return body(await this.api.runCheck({ path: { id } }));
  }

  /** Attaches ground-truth labels to logged requests (at most 1,000 per call). */
  async addLabels(
    id: string,
    labels: RequestLabel[],
  ): Promise<{ stored: number; total: number }> {
    return body(await this.api.addLabels({ path: { id }, body: { labels } }));
  }

  /** A check, with its report once it has finished. */
  async getCheck(id: string, checkId: string): Promise<DriftCheck> {
    return body(await this.api.getCheck({ path: { id, checkId } }));
  }
}

async function body<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return response.json();
}
