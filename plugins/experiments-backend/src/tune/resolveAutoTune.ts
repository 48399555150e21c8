import {
  AutoTuneRequest,
  ModelTemplate,
  ResolvedAutoTune,
  searchSpaceProblems,
  SearchSpace,
  TrainingResources,
  TUNE_ALGORITHMS,
  TUNE_METRICS,
  TuneMetric,
  isTabularRegression,
  TABULAR_FIXED_HYPERPARAMETERS,
  tuneTrialKind,
} from '@internal/backstage-plugin-experiments-common';
import { AutoTuneSettings, quotaOf } from './config';

/** The runtime module of auto-tune jobs. */
export const TUNE_ENTRYPOINT = 'mlops_runtime.tune';

/** The metrics a regression trial reports among those a tune may optimize (mean squared error). */
const REGRESSION_METRICS: readonly TuneMetric[] = ['test_loss', 'train_loss'];

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
 *
 * Tabular templates: a trial is one fit reported once, so ASHA (which stops trials between
 * epochs) is off; a regression job optimizes test loss (mean squared error) by default, since it
 * reports no accuracy. `hyperparameters` (the job's, defaults filled in) tell the task.
 */
export function resolveAutoTune(options: {
  request: AutoTuneRequest;
  template: ModelTemplate;
  hyperparameters?: Record<string, unknown>;
  resources: TrainingResources;
  owner: string;
  settings: AutoTuneSettings;
  problems: string[];
}): ResolvedAutoTune {
  const { request, template, resources, owner, settings, problems } = options;
  const kind = tuneTrialKind(template);
  if (!kind) {
    problems.push(
      `autoTune: ${template.id} cannot be auto-tuned (auto-tune runs the templates that mlops_runtime.train or mlops_runtime.train_tabular trains)`,
    );
  }
  const searchSpace = mergeSearchSpace(template, request.searchSpace, problems);
  if (kind === 'tabular') {
    for (const name of TABULAR_FIXED_HYPERPARAMETERS) {
      if (searchSpace[name]) {
        problems.push(
          `autoTune.searchSpace.${name}: cannot be searched; every trial uses the job's value`,
        );
      }
    }
  }
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
  const regression = isTabularRegression(template, options.hyperparameters);
  const metric = request.metric ?? (regression ? 'test_loss' : 'test_accuracy');
  if (regression && !REGRESSION_METRICS.includes(metric)) {
    problems.push(
      `autoTune.metric: a regression job reports no ${metric}; use ${REGRESSION_METRICS.join(
        ' or ',
      )} (mean squared error)`,
    );
  }
  return {
    searchSpace,
    algorithm: request.algorithm ?? 'optuna',
    asha: kind === 'tabular' ? false : request.asha ?? true,
    budget,
    metric,
    mode: request.mode ?? (metric.endsWith('loss') ? 'min' : 'max'),
  };
}
