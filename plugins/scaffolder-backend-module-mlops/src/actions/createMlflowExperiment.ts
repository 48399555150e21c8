import { ServiceUnavailableError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { MlflowCredentials, MlflowRestClient } from '@internal/mlops-node';

export const CREATE_MLFLOW_EXPERIMENT_ACTION = 'mlops:mlflow:create-experiment';

/** The experiment named `name` in MLflow, created when it does not exist yet. */
export async function ensureMlflowExperiment(
  trackingUrl: string,
  name: string,
  tags: Record<string, string>,
  credentials?: MlflowCredentials,
): Promise<{ experimentId: string; created: boolean }> {
  const base = trackingUrl.replace(/\/+$/, '');
  const mlflow = new MlflowRestClient(base, credentials);
  const created = await mlflow.call<{ experiment_id: string }>(
    'POST',
    '/api/2.0/mlflow/experiments/create',
    {
      name,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
  );
  if (created.ok) {
    return { experimentId: String(created.body.experiment_id), created: true };
  }
  if (created.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
    throw new ServiceUnavailableError(
      `MLflow at ${base} refused to create experiment "${name}" (HTTP ${
        created.status
      }): ${describe(created)}`,
    );
  }
  const found = await mlflow.call<{
    experiment: { experiment_id: string; lifecycle_stage?: string };
  }>('GET', '/api/2.0/mlflow/experiments/get-by-name', {
    experiment_name: name,
  });
  if (!found.ok) {
    throw new ServiceUnavailableError(
      `MLflow at ${base} has experiment "${name}" but did not return it (HTTP ${
        found.status
      }): ${describe(found)}`,
    );
  }
  const { experiment } = found.body;
  if (experiment.lifecycle_stage === 'deleted') {
    throw new ServiceUnavailableError(
      `MLflow experiment "${name}" is deleted; restore it in MLflow or choose another project name`,
    );
  }
  return { experimentId: String(experiment.experiment_id), created: false };
}

function describe(refusal: { errorCode?: string; message: string }) {
  return (
    [refusal.errorCode, refusal.message].filter(Boolean).join(': ') ||
    'no message'
  );
}

/**
 * `mlops:mlflow:create-experiment`: the project's MLflow experiment, through MLflow's REST API;
 * an experiment that already exists is used as it is.
 */
export function createMlflowExperimentAction(options: {
  trackingUrl: string;
  /** The portal's MLflow user (mlops.mlflow.username), when MLflow asks for credentials. */
  credentials?: MlflowCredentials;
}) {
  return createTemplateAction({
    id: CREATE_MLFLOW_EXPERIMENT_ACTION,
    description:
      "Creates the project's MLflow experiment (or finds it when it exists) and outputs its id and URL",
    schema: {
      input: {
        name: z => z.string().min(1).describe('Experiment name'),
        owner: z =>
          z
            .string()
            .optional()
            .describe('Owning team, set as the tag mlops.owner'),
      },
      output: {
        experimentId: z => z.string(),
        experimentUrl: z => z.string(),
        created: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { name, owner } = ctx.input;
      const { experimentId, created } = await ensureMlflowExperiment(
        options.trackingUrl,
        name,
        {
          'mlops.project': name,
          ...(owner && { 'mlops.owner': owner }),
        },
        options.credentials,
      );
      ctx.logger.info(
        `${
          created ? 'Created' : 'Using the existing'
        } MLflow experiment "${name}" (id ${experimentId})`,
      );
      ctx.output('experimentId', experimentId);
      ctx.output(
        'experimentUrl',
        `${options.trackingUrl.replace(
          /\/+$/,
          '',
        )}/#/experiments/${experimentId}`,
      );
      ctx.output('created', created);
    },
  });
}
