import {
  AuthService,
  DiscoveryService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ModelTemplate } from '@internal/backstage-plugin-experiments-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mlopsClients } from '../mlopsApis';

export const BIND_DATASET_ACTION = 'mlops:dataset:bind';

/** The project's training config, written by `mlops:dataset:bind`. */
export type ProjectTrainingConfig = {
  templateId: string;
  dataset: { id: string; name: string; version?: string; format?: string };
  hyperparameters: Record<string, unknown>;
  resources: ModelTemplate['defaultResources'];
};

/** The default of each hyperparameter of the template's schema. */
export function defaultHyperparameters(template: ModelTemplate) {
  return Object.fromEntries(
    Object.entries(template.hyperparameterSchema.properties)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, spec.default]),
  );
}

/**
 * `mlops:dataset:bind`: checks, as the user who runs the template, that the dataset exists and
 * that the model template accepts its format, and writes the binding with the template's default
 * hyperparameters into the skeleton (`config/training.json` by default).
 */
export function bindDatasetAction(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
}) {
  return createTemplateAction({
    id: BIND_DATASET_ACTION,
    description:
      "Checks that a dataset exists and fits the model template, and writes the project's training config (dataset binding and default hyperparameters)",
    schema: {
      input: {
        dataset: z =>
          z
            .string()
            .min(1)
            .describe('Dataset name (or id) in the datasets plugin'),
        templateId: z =>
          z
            .string()
            .min(1)
            .describe(
              'Model template id, e.g. mnist-cnn or custom:<name>@<version>',
            ),
        hyperparameters: z =>
          z
            .record(z.string(), z.unknown())
            .optional()
            .describe("Values that replace the template's defaults"),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe(
              'File in the workspace to write; default config/training.json',
            ),
      },
      output: {
        datasetId: z => z.string(),
        datasetVersion: z => z.string().optional(),
        configPath: z => z.string(),
      },
    },
    async handler(ctx) {
      const { dataset, templateId } = ctx.input;
      const clients = mlopsClients(deps, await ctx.getInitiatorCredentials());
      const [datasets, templates] = await Promise.all([
        clients.datasets.listDatasets(),
        clients.experiments.listTemplates(),
      ]);
      const found = datasets.items.find(
        d => d.name === dataset || d.id === dataset,
      );
      if (!found) {
        throw new InputError(
          `Dataset "${dataset}" does not exist or your teams cannot see it (visible: ${
            datasets.items.map(d => d.name).join(', ') || 'none'
          })`,
        );
      }
      const template = templates.items.find(t => t.id === templateId);
      if (!template) {
        throw new InputError(
          `Model template "${templateId}" does not exist or your teams cannot see it (known: ${templates.items
            .map(t => t.id)
            .join(', ')})`,
        );
      }
      if (found.format && !template.datasetFormats.includes(found.format)) {
        throw new InputError(
          `Dataset "${found.name}" is ${
            found.format
          }; model template ${templateId} takes ${template.datasetFormats.join(
            ', ',
          )}`,
        );
      }
      const hyperparameters = {
        ...defaultHyperparameters(template),
        ...ctx.input.hyperparameters,
      };
      const unknown = Object.keys(hyperparameters).filter(
        k => !(k in template.hyperparameterSchema.properties),
      );
      if (unknown.length > 0) {
        throw new InputError(
          `Model template ${templateId} has no hyperparameter ${unknown.join(
            ', ',
          )}`,
        );
      }
      const config: ProjectTrainingConfig = {
        templateId,
        dataset: {
          id: found.id,
          name: found.name,
          ...(found.latestVersion && { version: found.latestVersion }),
          ...(found.format && { format: found.format }),
        },
        hyperparameters,
        resources: template.defaultResources,
      };
      const relative = ctx.input.targetPath ?? 'config/training.json';
      const target = resolveSafeChildPath(ctx.workspacePath, relative);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, `${JSON.stringify(config, null, 2)}\n`);
      ctx.logger.info(
        `Bound dataset ${found.name}${
          found.latestVersion ? ` (version ${found.latestVersion})` : ''
        } to ${templateId}; wrote ${relative}`,
      );
      ctx.output('datasetId', found.id);
      if (found.latestVersion)
        ctx.output('datasetVersion', found.latestVersion);
      ctx.output('configPath', relative);
    },
  });
}
