import { RayClusterResources } from '@internal/backstage-plugin-ray-clusters-common';

type RayNode = {
  state: string;
  resources_total: Record<string, number>;
};

/**
 * Thrown when Ray cannot be reached or answers with an error; the message names the cluster
 * address and the cause.
 *
 * @public
 */
export class RayUnavailableError extends Error {
  name = 'RayUnavailableError';
}

/**
 * HTTP client of a Ray cluster's dashboard server (version, state API). Sends the cluster's token
 * as `Authorization: Bearer`, as Ray token authentication requires.
 *
 * @public
 */
export class RayDashboardClient {
  constructor(
    private readonly options: {
      dashboardUrl: string;
      token?: string;
      timeoutMs?: number;
    },
  ) {}

  async getVersion(): Promise<string> {
    const body = await this.get<{ ray_version: string }>('/api/version');
    return body.ray_version;
  }

  /** Totals over the cluster's alive nodes. */
  async getResources(): Promise<RayClusterResources> {
    const body = await this.get<{
      data: { result: { result: RayNode[] } };
    }>('/api/v0/nodes?detail=1&limit=1000');
    const alive = body.data.result.result.filter(n => n.state === 'ALIVE');
    const sum = (key: string) =>
      alive.reduce(
        (total, node) => total + (node.resources_total[key] ?? 0),
        0,
      );
    const gpuTypes = new Set<string>();
    for (const node of alive) {
      for (const key of Object.keys(node.resources_total)) {
        if (key.startsWith('accelerator_type:')) {
          gpuTypes.add(key.slice('accelerator_type:'.length));
        }
      }
    }
    return {
      nodes: alive.length,
      cpus: sum('CPU'),
      gpus: sum('GPU'),
      gpuTypes: [...gpuTypes].sort(),
      memoryBytes: sum('memory'),
      objectStoreBytes: sum('object_store_memory'),
    };
  }

  /** Ray Serve's applications on this cluster, by name (empty when Serve is not running). */
  async getServeApplications(): Promise<
    Record<string, { status: string; route_prefix?: string }>
  > {
    const body = await this.get<{
      applications: Record<string, { status: string; route_prefix?: string }>;
    }>('/api/serve/applications/');
    return body.applications;
  }

  private async get<T>(path: string): Promise<T> {
    const url = `${this.options.dashboardUrl}${path}`;
    // The dashboard loads Ray Serve on the first Serve API call: several seconds on a busy machine.
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.options.token
          ? { Authorization: `Bearer ${this.options.token}` }
          : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const err = error as { name?: string; cause?: { code?: string } };
      if (err.name === 'TimeoutError') {
        throw new RayUnavailableError(
          `Ray at ${this.options.dashboardUrl} did not answer within ${
            timeoutMs / 1000
          } s`,
        );
      }
      throw new RayUnavailableError(
        `Ray at ${this.options.dashboardUrl} is unreachable (${
          err.cause?.code ?? String(error)
        })`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new RayUnavailableError(
        `Ray at ${this.options.dashboardUrl} refused the token (HTTP ${response.status}): check the cluster's token`,
      );
    }
    if (!response.ok) {
      throw new RayUnavailableError(
        `Ray at ${this.options.dashboardUrl} answered HTTP ${response.status} for ${path}`,
      );
    }
    return (await response.json()) as T;
  }
}
