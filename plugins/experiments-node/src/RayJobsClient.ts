import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import http from 'node:http';
import https from 'node:https';

/**
 * A Ray job's status as the Ray Jobs API reports it.
 *
 * @public
 */
export type RayJobStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'STOPPED'
  | 'SUCCEEDED'
  | 'FAILED';

/**
 * What the Ray Jobs API says about one submission (`GET /api/jobs/{id}`).
 *
 * @public
 */
export interface RayJobInfo {
  submissionId: string;
  /** The driver's job id; set once the driver has started. */
  jobId?: string;
  status: RayJobStatus;
  message?: string;
  errorType?: string;
}

/**
 * A job to submit (`POST /api/jobs/`).
 *
 * @public
 */
export interface RayJobSubmission {
  /** Makes the submission idempotent: Ray refuses a second job with the same id. */
  submissionId: string;
  entrypoint: string;
  envVars: Record<string, string>;
  /** CPUs reserved for the entrypoint (driver) process itself. */
  entrypointNumCpus?: number;
  metadata?: Record<string, string>;
}

/**
 * Ray answered the request with an error that retrying does not fix (for example a rejected
 * runtime environment).
 *
 * @public
 */
export class RayJobRejectedError extends Error {
  name = 'RayJobRejectedError';
}

/**
 * Client of the Ray Jobs REST API of one cluster's dashboard, with Ray token authentication.
 * Network failures, timeouts and server errors throw `RayUnavailableError` (worth retrying);
 * refusals of the request itself throw {@link RayJobRejectedError}.
 *
 * @public
 */
export class RayJobsClient {
  private readonly baseUrl: string;

  constructor(
    private readonly options: {
      dashboardUrl: string;
      token?: string;
      timeoutMs?: number;
    },
  ) {
    this.baseUrl = options.dashboardUrl.replace(/\/+$/, '');
  }

  /**
   * Submits the job. A submission id that Ray already knows counts as submitted (an earlier
   * delivery of the same job got there first): returns `{ alreadySubmitted: true }`.
   */
  async submit(
    job: RayJobSubmission,
  ): Promise<{ jobId?: string; alreadySubmitted: boolean }> {
    const response = await this.request('POST', '/api/jobs/', {
      submission_id: job.submissionId,
      entrypoint: job.entrypoint,
      runtime_env: { env_vars: job.envVars },
      entrypoint_num_cpus: job.entrypointNumCpus,
      metadata: job.metadata,
    });
    const text = await response.text();
    if (response.ok) {
      const body = JSON.parse(text) as { job_id?: string | null };
      return { jobId: body.job_id ?? undefined, alreadySubmitted: false };
    }
    // Ray answers a duplicate submission id with 409 in some versions and 500 in others.
    if (response.status === 409 || /already exists/.test(text)) {
      return { alreadySubmitted: true };
    }
    if (response.status >= 500) {
      throw new RayUnavailableError(
        `Ray at ${this.baseUrl} failed to submit the job (HTTP ${
          response.status
        }): ${lastLine(text)}`,
      );
    }
    throw new RayJobRejectedError(
      `Ray rejected the job (HTTP ${response.status}): ${lastLine(text)}`,
    );
  }

  /** The job's status; undefined when Ray does not know the submission id. */
  async getJob(submissionId: string): Promise<RayJobInfo | undefined> {
    const response = await this.request(
      'GET',
      `/api/jobs/${encodeURIComponent(submissionId)}`,
    );
    if (response.status === 404) return undefined;
    await this.assertOk(response, 'read the job');
    const body = (await response.json()) as {
      submission_id: string;
      job_id?: string | null;
      status: RayJobStatus;
      message?: string | null;
      error_type?: string | null;
    };
    return {
      submissionId: body.submission_id,
      jobId: body.job_id ?? undefined,
      status: body.status,
      message: body.message ?? undefined,
      errorType: body.error_type ?? undefined,
    };
  }

  /** The job's whole log so far; undefined when Ray does not know the submission id. */
  async getLogs(submissionId: string): Promise<string | undefined> {
    const response = await this.request(
      'GET',
      `/api/jobs/${encodeURIComponent(submissionId)}/logs`,
    );
    if (response.status === 404) return undefined;
    await this.assertOk(response, 'read the job log');
    const body = (await response.json()) as { logs: string };
    return body.logs;
  }

  /** Asks Ray to stop the job; false when it had already ended or is unknown. */
  async stop(submissionId: string): Promise<boolean> {
    const response = await this.request(
      'POST',
      `/api/jobs/${encodeURIComponent(submissionId)}/stop`,
    );
    if (response.status === 404) return false;
    await this.assertOk(response, 'stop the job');
    const body = (await response.json()) as { stopped: boolean };
    return body.stopped;
  }

  /** Submission ids of all jobs Ray knows (for tests and operators). */
  async listSubmissionIds(): Promise<string[]> {
    const response = await this.request('GET', '/api/jobs/');
    await this.assertOk(response, 'list jobs');
    const body = (await response.json()) as Array<{
      submission_id: string | null;
    }>;
    return body.flatMap(j => (j.submission_id ? [j.submission_id] : []));
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<HttpResponse> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const headers: Record<string, string> = {};
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: HttpResponse;
    try {
      response = await httpRequest(
        new URL(`${this.baseUrl}${path}`),
        method,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
      );
    } catch (error) {
      const err = error as { name?: string; code?: string };
      if (err.name === 'TimeoutError') {
        throw new RayUnavailableError(
          `Ray at ${this.baseUrl} did not answer within ${timeoutMs / 1000} s`,
        );
      }
      throw new RayUnavailableError(
        `Ray at ${this.baseUrl} is unreachable (${err.code ?? String(error)})`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new RayUnavailableError(
        `Ray at ${this.baseUrl} refused the token (HTTP ${response.status}): check the cluster's token`,
      );
    }
    return response;
  }

  private async assertOk(response: HttpResponse, what: string) {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    const message = `Ray at ${this.baseUrl} could not ${what} (HTTP ${
      response.status
    }): ${lastLine(text)}`;
    if (response.status >= 500) throw new RayUnavailableError(message);
    throw new RayJobRejectedError(message);
  }
}

type HttpResponse = {
  status: number;
  ok: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
};

/**
 * One HTTP request with node:http. Not fetch: undici sends `Sec-Fetch-Mode`, and Ray's dashboard
 * refuses POSTs that carry it as browser traffic (HTTP 405).
 */
function httpRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<HttpResponse> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers: body
          ? { ...headers, 'Content-Length': Buffer.byteLength(body) }
          : headers,
        timeout: timeoutMs,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: async () => text,
            json: async () => JSON.parse(text),
          });
        });
      },
    );
    req.on('timeout', () => {
      const error = new Error('timeout');
      error.name = 'TimeoutError';
      req.destroy(error);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && l !== '.');
  return (lines[lines.length - 1] ?? '').slice(0, 500);
}
