import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  CustomModelProblem,
  HyperparameterSchema,
} from '@internal/backstage-plugin-experiments-common';
import { RayUnavailableError } from '@internal/backstage-plugin-ray-clusters-node';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { RayClusters } from '../service/RayClusters';

/** What `python -m mlops_runtime.check_model` printed. */
export type CustomModelVerdict = {
  ok: boolean;
  problems: CustomModelProblem[];
  hyperparameterSchema?: HyperparameterSchema;
  parameterCount?: number;
};

const VERDICT_KIND = 'mlops.custom_model_check';
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/** What a verdict may carry back to the caller: the check runs code that may read the node. */
export const VERDICT_LIMITS = {
  problems: 20,
  problemChars: 500,
  /** Of all messages together: the whole answer stays under 4 KiB. */
  totalChars: 3500,
  schemaBytes: 16_384,
};

/**
 * Checks a custom model's source in a short Ray job (`mlops_runtime.check_model`) on the
 * cluster it is given (one of the uploading team's): the module is only ever compiled and run
 * there, never in this process. Waits for the verdict at most `timeoutMs`; a cluster that cannot
 * run the check is a ServiceUnavailableError.
 */
export class CustomModelChecker {
  constructor(
    private readonly options: {
      clusters: RayClusters;
      runtimePath: string;
      timeoutMs: number;
      logger: LoggerService;
      pollMs?: number;
    },
  ) {}

  async check(source: string, cluster: string): Promise<CustomModelVerdict> {
    try {
      return await this.run(source, cluster);
    } catch (error) {
      if (error instanceof RayUnavailableError) {
        throw new ServiceUnavailableError(
          `Ray cluster "${cluster}" cannot check the custom model now (${error.message}); try again in a moment`,
        );
      }
      throw error;
    }
  }

  private async run(
    source: string,
    cluster: string,
  ): Promise<CustomModelVerdict> {
    const { clusters, runtimePath, timeoutMs, logger } = this.options;
    await clusters.ensureRunning(cluster);
    const client = clusters.jobs(cluster);
    const submissionId = `custom-model-check-${randomUUID()}`;
    const deadline = Date.now() + timeoutMs;
    // The task gets most of the time; the rest covers starting the job's driver and Ray.
    const taskTimeoutS = Math.max(5, Math.floor((timeoutMs * 0.7) / 1000));
    await client.submit({
      submissionId,
      entrypoint: `python -m mlops_runtime.check_model --timeout-s ${taskTimeoutS}`,
      envVars: {
        MLOPS_CUSTOM_MODEL_SOURCE: source,
        PYTHONPATH: path.join(runtimePath, 'src'),
      },
      entrypointNumCpus: 0,
      metadata: { 'mlops.kind': 'custom-model-check' },
    });
    for (;;) {
      // A busy head may miss one poll; only the deadline ends the wait.
      const info = await client.getJob(submissionId).catch(error => {
        if (error instanceof RayUnavailableError && Date.now() < deadline) {
          return undefined;
        }
        throw error;
      });
      if (info && TERMINAL.has(info.status)) break;
      if (Date.now() > deadline) {
        await client.stop(submissionId).catch(() => false);
        throw new ServiceUnavailableError(
          `The check of the custom model did not finish within ${
            timeoutMs / 1000
          } s on Ray cluster "${cluster}" (Ray job ${submissionId}); try again when the cluster is less busy`,
        );
      }
      await new Promise(r => setTimeout(r, this.options.pollMs ?? 500));
    }
    const logs = (await client.getLogs(submissionId)) ?? '';
    const verdict = lastVerdict(logs);
    if (!verdict) {
      // The log is the user's code's output: it stays in the server's log, not in the answer.
      logger.warn(
        `Custom model check ${submissionId} printed no verdict; its log ends: ${logs.slice(
          -1000,
        )}`,
      );
      throw new ServiceUnavailableError(
        `The check of the custom model on Ray cluster "${cluster}" ended without a verdict (Ray job ${submissionId}); try again, and ask an administrator if it keeps failing`,
      );
    }
    return verdict;
  }
}

function lastVerdict(logs: string): CustomModelVerdict | undefined {
  const lines = logs.split('\n').reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(text);
      if (parsed?.kind === VERDICT_KIND) {
        const schema = parsed.hyperparameterSchema;
        const schemaFits =
          schema &&
          typeof schema === 'object' &&
          JSON.stringify(schema).length <= VERDICT_LIMITS.schemaBytes;
        const count = Number(parsed.parameterCount);
        const problems = boundedProblems(
          Array.isArray(parsed.problems) ? parsed.problems : [],
        );
        if (schema && !schemaFits) {
          problems.push({
            code: 'invalid_schema',
            message: `HYPERPARAMETER_SCHEMA is larger than ${VERDICT_LIMITS.schemaBytes} bytes as JSON`,
          });
        }
        return {
          ok: parsed.ok === true && problems.length === 0,
          problems,
          hyperparameterSchema: schemaFits ? schema : undefined,
          parameterCount: Number.isSafeInteger(count) ? count : undefined,
        };
      }
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/**
 * The problems as the caller sees them: at most `VERDICT_LIMITS.problems` (the last one saying
 * how many more there were), each message cut at `problemChars`, all within `totalChars`.
 */
export function boundedProblems(raw: unknown[]): CustomModelProblem[] {
  const problems: CustomModelProblem[] = [];
  const room =
    raw.length > VERDICT_LIMITS.problems
      ? VERDICT_LIMITS.problems - 1
      : VERDICT_LIMITS.problems;
  let total = 0;
  for (const item of raw) {
    if (problems.length === room) break;
    const p = (item ?? {}) as Record<string, unknown>;
    const message = truncate(
      typeof p.message === 'string'
        ? p.message
        : 'the check reported a problem',
      VERDICT_LIMITS.problemChars,
    );
    if (total + message.length > VERDICT_LIMITS.totalChars) break;
    total += message.length;
    problems.push({
      code:
        typeof p.code === 'string' && /^[a-z_]{1,40}$/.test(p.code)
          ? p.code
          : 'check_failed',
      message,
      ...(Number.isSafeInteger(p.line) &&
        (p.line as number) > 0 && { line: p.line as number }),
    });
  }
  const left = raw.length - problems.length;
  if (left > 0) {
    problems.push({
      code: 'more_problems',
      message: `and ${left} more problem(s)`,
    });
  }
  return problems;
}

function truncate(text: string, max: number) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
