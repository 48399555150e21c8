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

/**
 * Checks a custom model's source in a short Ray job (`mlops_runtime.check_model`): the module is
 * only ever compiled and run there, never in this process. Waits for the verdict at most
 * `timeoutMs`; a cluster that cannot run the check is a ServiceUnavailableError.
 */
export class CustomModelChecker {
  constructor(
    private readonly options: {
      clusters: RayClusters;
      cluster: string;
      runtimePath: string;
      timeoutMs: number;
      logger: LoggerService;
      pollMs?: number;
    },
  ) {}

  async check(source: string): Promise<CustomModelVerdict> {
    try {
      return await this.run(source);
    } catch (error) {
      if (error instanceof RayUnavailableError) {
        throw new ServiceUnavailableError(
          `Ray cluster "${this.options.cluster}" cannot check the custom model now (${error.message}); try again in a moment`,
        );
      }
      throw error;
    }
  }

  private async run(source: string): Promise<CustomModelVerdict> {
    const { clusters, cluster, runtimePath, timeoutMs, logger } = this.options;
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
      logger.warn(
        `Custom model check ${submissionId} printed no verdict; its log ends: ${logs.slice(
          -2000,
        )}`,
      );
      throw new ServiceUnavailableError(
        `The check of the custom model on Ray cluster "${cluster}" ended without a verdict (Ray job ${submissionId}): ${lastLine(
          logs,
        )}`,
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
        return {
          ok: parsed.ok === true,
          problems: Array.isArray(parsed.problems) ? parsed.problems : [],
          hyperparameterSchema: parsed.hyperparameterSchema ?? undefined,
          parameterCount: parsed.parameterCount ?? undefined,
        };
      }
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

function lastLine(text: string) {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
