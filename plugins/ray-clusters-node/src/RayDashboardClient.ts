import {
  RayClusterResources,
  RayJobSummary,
  RayNode,
} from '@internal/backstage-plugin-ray-clusters-common';
import { EndpointGuard, EndpointRefusedError } from '@internal/mlops-node';
import http from 'node:http';
import https from 'node:https';
import { LookupFunction } from 'node:net';
import {
  RayServeDeployConfig,
  RayServeInstanceDetails,
} from './serve/rayServeSchema';

/** How the endpoint guard names the dashboard in its refusals. */
const WHAT = 'Ray dashboard';

/** Ray's largest answers are node lists: a few KiB per node. */
const MAX_ANSWER_BYTES = 32 * 1024 ** 2;

/**
 * One request with node:http(s): redirects are answers, not followed; the whole exchange (not
 * only each read) ends after `timeoutMs`; answers over {@link MAX_ANSWER_BYTES} are cut off.
 */
function httpRequest(
  method: 'GET' | 'PUT',
  url: URL,
  options: {
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
    lookup?: LookupFunction;
  },
): Promise<{ status: number; body: Buffer }> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers: options.headers,
        ...(options.lookup && { lookup: options.lookup }),
      },
      res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(
              Object.assign(new Error('answer too large'), {
                name: 'AnswerTooLargeError',
              }),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }),
        );
      },
    );
    const timer = setTimeout(
      () =>
        req.destroy(
          Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
        ),
      options.timeoutMs,
    );
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(options.body);
  });
}

type RayStateNode = {
  node_id: string;
  node_ip: string;
  is_head_node: boolean;
  state: string;
  resources_total: Record<string, number>;
};

type RayJobDetails = {
  submission_id?: string | null;
  job_id?: string | null;
  status: string;
  entrypoint: string;
  start_time?: number | null;
  end_time?: number | null;
};

const ACCELERATOR_PREFIX = 'accelerator_type:';

function gpuTypesOf(resources: Record<string, number>): string[] {
  return Object.keys(resources)
    .filter(key => key.startsWith(ACCELERATOR_PREFIX))
    .map(key => key.slice(ACCELERATOR_PREFIX.length));
}

/**
 * Thrown when Ray cannot be reached or answers with an error; the message names the cluster
 * address and the cause.
 *
 * @public
 */
export class RayUnavailableError extends Error {
  name = 'RayUnavailableError';

  constructor(
    message: string,
    /** The HTTP status Ray answered, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * HTTP client of a Ray cluster's dashboard server (version, state API). Sends the cluster's token
 * as `Authorization: Bearer`, as Ray token authentication requires. It follows no redirects, and
 * its errors say what went wrong (status, path) but never carry what the server answered.
 *
 * @public
 */
export class RayDashboardClient {
  constructor(
    private readonly options: {
      dashboardUrl: string;
      token?: string;
      timeoutMs?: number;
      /**
       * Checks the address before every request and at connection time; set for clusters that
       * users gave the portal (external), not for those it started or an administrator configured.
       */
      endpointGuard?: EndpointGuard;
    },
  ) {}

  /** The dashboard's address, as configured (no trailing slash). */
  get dashboardUrl(): string {
    return this.options.dashboardUrl;
  }

  async getVersion(): Promise<string> {
    const body = await this.get<{ ray_version: string }>('/api/version');
    return body.ray_version;
  }

  /** The cluster's nodes, alive or dead, as Ray's state API lists them. */
  async getNodes(): Promise<RayNode[]> {
    const body = await this.get<{
      data: { result: { result: RayStateNode[] } };
    }>('/api/v0/nodes?detail=1&limit=1000');
    return body.data.result.result.map(node => ({
      nodeId: node.node_id,
      ip: node.node_ip,
      isHead: node.is_head_node,
      state: node.state,
      cpus: node.resources_total.CPU ?? 0,
      gpus: node.resources_total.GPU ?? 0,
      gpuType: gpuTypesOf(node.resources_total)[0],
      memoryBytes: node.resources_total.memory ?? 0,
      objectStoreBytes: node.resources_total.object_store_memory ?? 0,
    }));
  }

  /** Totals over the cluster's alive nodes. */
  async getResources(): Promise<RayClusterResources> {
    const alive = (await this.getNodes()).filter(n => n.state === 'ALIVE');
    const sum = (pick: (node: RayNode) => number) =>
      alive.reduce((total, node) => total + pick(node), 0);
    const gpuTypes = new Set(
      alive.flatMap(node => (node.gpuType ? [node.gpuType] : [])),
    );
    return {
      nodes: alive.length,
      cpus: sum(n => n.cpus),
      gpus: sum(n => n.gpus),
      gpuTypes: [...gpuTypes].sort(),
      memoryBytes: sum(n => n.memoryBytes),
      objectStoreBytes: sum(n => n.objectStoreBytes),
    };
  }

  /** Totals with live usage: what running tasks and actors hold, from Ray's cluster status. */
  async getResourcesWithUsage(): Promise<RayClusterResources> {
    const [resources, status] = await Promise.all([
      this.getResources(),
      this.get<{
        data: {
          clusterStatus?: {
            loadMetricsReport?: { usage?: Record<string, [number, number]> };
          };
        };
      }>('/api/cluster_status'),
    ]);
    // Totals come from the node list: the cluster status lags behind nodes that just joined.
    const usage = status.data.clusterStatus?.loadMetricsReport?.usage ?? {};
    const of = (key: string, total: number) => ({
      used: usage[key]?.[0] ?? 0,
      total,
    });
    return {
      ...resources,
      usage: {
        cpus: of('CPU', resources.cpus),
        gpus: of('GPU', resources.gpus),
        memoryBytes: of('memory', resources.memoryBytes),
        objectStoreBytes: of('objectStoreMemory', resources.objectStoreBytes),
      },
    };
  }

  /** The cluster's Ray jobs, newest first. */
  async listJobs(): Promise<RayJobSummary[]> {
    const jobs = await this.get<RayJobDetails[]>('/api/jobs/');
    return jobs
      .map(job => ({
        submissionId: job.submission_id ?? undefined,
        jobId: job.job_id ?? undefined,
        status: job.status,
        entrypoint: job.entrypoint,
        startTime: job.start_time ?? undefined,
        endTime: job.end_time ?? undefined,
      }))
      .sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
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

  /**
   * Everything Serve's REST API says about its applications, raw (empty when Serve is not
   * running). Reads what the dashboard answers a program, not a browser: `runtime_env` values in
   * plain text, as a following {@link RayDashboardClient.putServeApplications} needs them.
   */
  async getServeInstanceDetails(): Promise<RayServeInstanceDetails> {
    return this.get<RayServeInstanceDetails>('/api/serve/applications/');
  }

  /**
   * Replaces ALL of the cluster's Serve applications with `config.applications` (Serve's
   * `PUT /api/serve/applications/`; starts Serve when it is not running). Ray checks the schema
   * before it answers and builds the applications afterwards: a failed build shows as an
   * application in DEPLOY_FAILED, not here. A rejected config is a {@link RayUnavailableError}
   * with `status` 400.
   */
  async putServeApplications(config: RayServeDeployConfig): Promise<void> {
    await this.request('PUT', '/api/serve/applications/', {
      body: JSON.stringify(config),
      // Starting Serve (controller and proxy) takes a while on a busy machine.
      timeoutMs: Math.max(this.options.timeoutMs ?? 0, 60_000),
    });
  }

  private async get<T>(path: string): Promise<T> {
    const body = await this.request('GET', path);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      // Never the body itself: it may come from a service that is not Ray.
      throw new RayUnavailableError(
        `${this.where} did not answer ${path} with Ray's JSON`,
      );
    }
  }

  private get where(): string {
    return `Ray at ${this.options.dashboardUrl}`;
  }

  private async request(
    method: 'GET' | 'PUT',
    path: string,
    options: { body?: string; timeoutMs?: number } = {},
  ): Promise<Buffer> {
    const where = this.where;
    const guard = this.options.endpointGuard;
    let url: URL;
    try {
      url = guard
        ? await guard.check(`${this.options.dashboardUrl}${path}`, WHAT)
        : new URL(`${this.options.dashboardUrl}${path}`);
    } catch (error) {
      throw new RayUnavailableError(
        `${where} cannot be used: ${(error as Error).message}`,
      );
    }
    // The dashboard loads Ray Serve on the first Serve API call: several seconds on a busy machine.
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    const headers: Record<string, string> = this.options.token
      ? { Authorization: `Bearer ${this.options.token}` }
      : {};
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response: { status: number; body: Buffer };
    try {
      response = await httpRequest(method, url, {
        headers,
        body: options.body,
        timeoutMs,
        lookup: guard?.lookup(WHAT),
      });
    } catch (error) {
      const err = error as { name?: string; code?: string; message?: string };
      if (err.name === 'TimeoutError') {
        throw new RayUnavailableError(
          `${where} did not answer within ${timeoutMs / 1000} s`,
        );
      }
      if (error instanceof EndpointRefusedError) {
        throw new RayUnavailableError(
          `${where} cannot be used: ${err.message}`,
        );
      }
      if (err.name === 'AnswerTooLargeError') {
        throw new RayUnavailableError(
          `${where} answered ${path} with more than ${MAX_ANSWER_BYTES} bytes`,
        );
      }
      throw new RayUnavailableError(
        `${where} is unreachable (${err.code ?? 'connection failed'})`,
      );
    }
    const { status } = response;
    if (status === 401 || status === 403) {
      throw new RayUnavailableError(
        `${where} refused the token (HTTP ${status}): check the cluster's token`,
        status,
      );
    }
    if (status >= 300 && status < 400) {
      throw new RayUnavailableError(
        `${where} answered HTTP ${status} (a redirect) for ${path}; the portal does not follow redirects: give the address Ray answers on`,
        status,
      );
    }
    if (status < 200 || status >= 300) {
      const verb = method === 'GET' ? '' : `${method} `;
      throw new RayUnavailableError(
        `${where} answered HTTP ${status} for ${verb}${path}`,
        status,
      );
    }
    return response.body;
  }
}
