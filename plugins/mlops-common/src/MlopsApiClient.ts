import { ResponseError } from '@backstage/errors';
import { PluginStatus } from './status';

/**
 * The parts of Backstage's DiscoveryApi and FetchApi the clients need; structural so that this
 * package depends on neither the frontend nor the backend framework.
 *
 * @public
 */
export type MlopsClientOptions = {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: typeof fetch };
};

/**
 * Base of the typed API clients of the MLOps plugins: resolves the plugin's base URL and turns
 * error responses into a ResponseError carrying the backend's message. Every MLOps backend plugin
 * serves `GET /status`, so this class alone reads any plugin's status.
 *
 * @public
 */
export class MlopsApiClient {
  constructor(
    private readonly pluginId: string,
    private readonly options: MlopsClientOptions,
  ) {}

  getStatus(): Promise<PluginStatus> {
    return this.request('/status');
  }

  protected async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl(this.pluginId);
    const response = await this.options.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...init?.headers },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
