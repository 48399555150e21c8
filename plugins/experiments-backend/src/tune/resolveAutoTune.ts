import {
  AutoTuneRequest,
  ModelTemplate,
  ResolvedAutoTune,
  searchSpaceProblems,
  SearchSpace,
  TrainingResources,
  TUNE_ALGORITHMS,
  TUNE_METRICS,
} from '@internal/backstage-plugin-experiments-common';
import { AutoTuneSettings, quotaOf } from './config';

/** The runtime module of auto-tune jobs. */
export const TUNE_ENTRYPOINT = 'mlops_runtime.tune';

/** Templates whose trials the runtime's tune job can run (the Ray Train path). */
const TUNABLE_ENTRYPOINT = 'mlops_runtime.train';

/** The JSON Schema of the `autoTune` section of `POST /jobs` (shapes only; the rest is below). */
export const autoTuneRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    searchSpace: { type: 'object' },
    algorithm: { type: 'string', enum: [...TUNE_ALGORITHMS] },
    asha: { type: 'boolean' },
    budget: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trials: { type: 'integer', minimum: 1 },
        concurrency: { type: 'integer', minimum: 1 },
        timeLimitMinutes: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    metric: { type: 'string', enum: [...TUNE_METRICS] },
    mode: { type: 'string', enum: ['max', 'min'] },
  },
};

function mergeSearchSpace(
  template: ModelTemplate,
  overrides: AutoTuneRequest['searchSpace'],
  problems: string[],
): SearchSpace {
  const space: SearchSpace = { ...template.searchSpace };
  const properties = template.hyperparameterSchema.properties ?? {};
  for (const [name, dimension] of Object.entries(overrides ?? {})) {
    if (dimension === null) {
      if (!properties[name]) {
        problems.push(
          `autoTune.searchSpace.${name}: is not a hyperparameter of ${template.id}`,
        );
      }
      delete space[name];
    } else {
      space[name] = dimension;
    }
  }
  return space;
}

/**
 * The auto-tune section of a job as it will run: the template's search space with the request's
 * dimensions over it, defaults for what the request leaves out, checked against the template's
 * hyperparameter schema and the owner's quota. Every problem goes to `problems`.
 */
export function resolveAutoTune(options: {
  request: AutoTuneRequest;
  template: ModelTemplate;
  resources: TrainingResources;
  owner: string;
  settings: AutoTuneSettings;
  problems: string[];
}): ResolvedAutoTune {
  const { request, template, resources, owner, settings, problems } = options;
  if (template.entrypoint !== TUNABLE_ENTRYPOINT) {
    problems.push(
      `autoTune: ${template.id} cannot be auto-tuned yet (auto-tune runs the templates that ${TUNABLE_ENTRYPOINT} trains)`,
    );
  }
  const searchSpace = mergeSearchSpace(template, request.searchSpace, problems);
  for (const problem of searchSpaceProblems(
    template.hyperparameterSchema,
    searchSpace,
  )) {
    problems.push(`autoTune.searchSpace.${problem.path}: ${problem.message}`);
  }
  if (Object.keys(searchSpace).length === 0) {
    problems.push(
      `autoTune.searchSpace: leaves no hyperparameter to tune (${template.id} has no default search space)`,
    );
  }
  if (resources.numWorkers !== 1) {
    problems.push(
      `resources.numWorkers: auto-tune trials run on 1 worker each, got ${resources.numWorkers}`,
    );
  }

  const quota = quotaOf(settings, owner);
  const defaults = settings.defaultBudget;
  const budget = {
    trials:
      request.budget?.trials ?? Math.min(defaults.trials, quota.maxTrials),
    concurrency:
      request.budget?.concurrency ??
      Math.min(defaults.concurrency, quota.maxConcurrency),
    timeLimitMinutes:
      request.budget?.timeLimitMinutes ??
      Math.min(defaults.timeLimitMinutes, quota.maxTimeLimitMinutes),
  };
  const limits: Array<[keyof typeof budget, number, string]> = [
    ['trials', quota.maxTrials, 'trials'],
    ['concurrency', quota.maxConcurrency, 'trials at once'],
    ['timeLimitMinutes', quota.maxTimeLimitMinutes, 'minutes'],
  ];
  for (const [field, limit, unit] of limits) {
    if (budget[field] > limit) {
      problems.push(
        `autoTune.budget.${field}: ${budget[field]} is above the auto-tune quota of ${owner} (${limit} ${unit})`,
      );
    }
  }
  const metric = request.metric ?? 'test_accuracy';
  return {
    searchSpace,
    algorithm: request.algorithm ?? 'optuna',
    asha: request.asha ?? true,
    budget,
    metric,
    mode: request.mode ?? (metric.endsWith('loss') ? 'min' : 'max'),
  };
}
