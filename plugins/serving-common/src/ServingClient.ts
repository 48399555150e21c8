import { ResponseError } from '@backstage/errors';
import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import { DefaultApiClient, TypedResponse } from './schema/openapi';
import {
  ApiKey,
  CreateApiKeyRequest,
  CreateDeploymentRequest,
  CreatedApiKey,
  DeploymentHistoryEntry,
  DeploymentMetrics,
  ModelDeployment,
  ModelDeploymentDetails,
  SetTrafficRequest,
} from './types';

/**
 * Client of the serving backend: the generated OpenAPI client, with error answers thrown as
 * ResponseError carrying the backend's message.
 *
 * @public
 */
export class ServingClient extends MlopsApiClient {
  private readonly api: DefaultApiClient;

  constructor(options: MlopsClientOptions) {
    super('serving', options);
    this.api = new DefaultApiClient(options);
  }

  /**
   * The caller's most recent deployments, newest first, with their versions and weights;
   * `limit` from 1 to 100, after skipping `offset`.
   */
  async listDeployments(
    limit = 20,
    offset = 0,
  ): Promise<ItemList<ModelDeployment>> {
    return body(await this.api.listDeployments({ query: { limit, offset } }));
  }

  async getDeployment(id: string): Promise<ModelDeploymentDetails> {
    return body(await this.api.getDeployment({ path: { id } }));
  }

  async createDeployment(
    request: CreateDeploymentRequest,
  ): Promise<ModelDeploymentDetails> {
    return body(await this.api.createDeployment({ body: request }));
  }

  async deleteDeployment(id: string, reason?: string): Promise<void> {
    await noBody(
      await this.api.deleteDeployment({ path: { id }, query: { reason } }),
    );
  }

  async listApiKeys(id: string): Promise<ItemList<ApiKey>> {
    return body(await this.api.listApiKeys({ path: { id } }));
  }

  /** The answer carries the key itself: the only time it is shown. */
  async createApiKey(
    id: string,
    request: CreateApiKeyRequest,
  ): Promise<CreatedApiKey> {
    return body(await this.api.createApiKey({ path: { id }, body: request }));
  }

  async revokeApiKey(id: string, keyId: string): Promise<void> {
    await noBody(await this.api.revokeApiKey({ path: { id, keyId } }));
  }

  async setTraffic(
    id: string,
    request: SetTrafficRequest,
  ): Promise<ModelDeploymentDetails> {
    return body(await this.api.setTraffic({ path: { id }, body: request }));
  }

  async promote(id: string, reason?: string): Promise<ModelDeploymentDetails> {
    return body(
      await this.api.promoteChallenger({ path: { id }, body: { reason } }),
    );
  }

  async rollback(
    id: string,
    version: string,
    reason?: string,
  ): Promise<ModelDeploymentDetails> {
    return body(
      await this.api.rollbackDeployment({
        path: { id },
        body: { version, reason },
      }),
    );
  }

  async getHistory(
    id: string,
    limit = 50,
  ): Promise<ItemList<DeploymentHistoryEntry>> {
    return body(
      await this.api.getDeploymentHistory({ path: { id }, query: { limit } }),
    );
  }

  /** Request rate, latency and error ratio per version, from Prometheus (503 without it). */
  async getMetrics(
    id: string,
    window: MetricsWindow = '1h',
  ): Promise<DeploymentMetrics> {
    return body(
      await this.api.getDeploymentMetrics({ path: { id }, query: { window } }),
    );
  }
}

/** @public */
export type MetricsWindow = '15m' | '1h' | '6h' | '24h';

async function body<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return response.json();
}

async function noBody(response: TypedResponse<unknown>): Promise<void> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
}
