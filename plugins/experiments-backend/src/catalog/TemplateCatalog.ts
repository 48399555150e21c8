import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  ModelTemplate,
  searchSpaceProblems,
} from '@internal/backstage-plugin-experiments-common';
import Ajv, { ValidateFunction } from 'ajv';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A template with its compiled hyperparameter validator. */
export type LoadedTemplate = {
  template: ModelTemplate;
  /** Validates and fills defaults in place; unknown keys are always rejected. */
  validate: ValidateFunction;
};

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });

/** A template's hyperparameter validator: fills defaults in place and rejects unknown keys. */
export function loadTemplate(template: ModelTemplate): LoadedTemplate {
  const validate = ajv.compile({
    ...template.hyperparameterSchema,
    additionalProperties: false,
  });
  return { template, validate };
}

/**
 * Model templates from the JSON manifests in the runtime's templates folder
 * (`<runtimePath>/src/mlops_runtime/templates/*.json`). A manifest that is not a usable template
 * (a required field missing, a default auto-tune `searchSpace` that breaks the rules of
 * `searchSpaceProblems`) is skipped with a warning naming the file and the problem.
 */
export class TemplateCatalog {
  static async load(options: {
    runtimePath: string;
    logger: LoggerService;
  }): Promise<TemplateCatalog> {
    const folder = templatesFolder(options.runtimePath);
    let files: string[];
    try {
      files = (await fs.readdir(folder)).filter(f => f.endsWith('.json'));
    } catch (error) {
      throw new Error(
        `Cannot read the model templates folder ${folder}: ${
          (error as Error).message
        }; set mlops.experiments.runtimePath to the runtime/ folder of the portal`,
      );
    }
    const templates = new Map<string, LoadedTemplate>();
    for (const file of files.sort()) {
      const where = path.join(folder, file);
      try {
        const template = checkManifest(
          JSON.parse(await fs.readFile(where, 'utf8')),
        );
        if (templates.has(template.id)) {
          throw new Error(`template id "${template.id}" is used twice`);
        }
        templates.set(template.id, loadTemplate(template));
      } catch (error) {
        options.logger.warn(
          `Skipping model template ${where}: ${(error as Error).message}`,
        );
      }
    }
    return new TemplateCatalog(templates);
  }

  private constructor(
    private readonly templates: Map<string, LoadedTemplate>,
  ) {}

  list(): ModelTemplate[] {
    return [...this.templates.values()].map(t => t.template);
  }

  /** NotFoundError for an unknown id. */
  get(id: string): LoadedTemplate {
    const found = this.templates.get(id);
    if (!found) {
      throw new NotFoundError(`No model template "${id}"`);
    }
    return found;
  }
}

export function templatesFolder(runtimePath: string) {
  return path.join(runtimePath, 'src', 'mlops_runtime', 'templates');
}

function checkManifest(value: unknown): ModelTemplate {
  const t = value as Partial<ModelTemplate>;
  const problems: string[] = [];
  for (const key of [
    'id',
    'version',
    'title',
    'description',
    'task',
  ] as const) {
    if (typeof t?.[key] !== 'string' || !t[key]) {
      problems.push(`${key} must be a non-empty string`);
    }
  }
  if (typeof t?.entrypoint !== 'string' || !MODULE_NAME.test(t.entrypoint)) {
    problems.push('entrypoint must be a Python module name');
  }
  if (
    !Array.isArray(t?.datasetFormats) ||
    !t.datasetFormats.every(f => typeof f === 'string')
  ) {
    problems.push('datasetFormats must be a list of strings');
  }
  const schema = t?.hyperparameterSchema;
  if (
    schema?.type !== 'object' ||
    typeof schema.properties !== 'object' ||
    schema.properties === null
  ) {
    problems.push(
      'hyperparameterSchema must be an object schema with properties',
    );
  }
  if (t?.searchSpace !== undefined && problems.length === 0) {
    for (const problem of searchSpaceProblems(
      t.hyperparameterSchema!,
      t.searchSpace,
    )) {
      problems.push(
        `searchSpace: ${problem.path}${problem.path ? ': ' : ''}${
          problem.message
        }`,
      );
    }
  }
  const r = t?.defaultResources;
  if (
    !r ||
    !Number.isInteger(r.numWorkers) ||
    typeof r.cpusPerWorker !== 'number' ||
    typeof r.useGpu !== 'boolean'
  ) {
    problems.push(
      'defaultResources must have numWorkers (integer), cpusPerWorker (number) and useGpu (boolean)',
    );
  }
  if (problems.length > 0) {
    throw new Error(problems.join('; '));
  }
  return t as ModelTemplate;
}
