import { JsonObject, JsonPrimitive } from '@backstage/types';
import {
  AutoTuneRequest,
  ModelTemplate,
  SearchDimension,
  searchSpaceProblems,
  TuneAlgorithm,
  TuneMetric,
  isTabularRegression,
  tuneTrialKind,
} from '@internal/backstage-plugin-experiments-common';

/** One hyperparameter in the search-space editor; numbers stay text until submitted. */
export type DimensionDraft = {
  name: string;
  title: string;
  /** The schema type: ranges are offered for integer and number hyperparameters. */
  valueType: string;
  tuned: boolean;
  kind: 'range' | 'choice';
  min: string;
  max: string;
  /** Range on a log scale (number hyperparameters only). */
  log: boolean;
  /** Comma-separated choices. */
  values: string;
};

export type BudgetDraft = {
  trials: string;
  concurrency: string;
  timeLimitMinutes: string;
};

/** The "Auto-tune" part of the New training run form. */
export type AutoTuneDraft = {
  dimensions: DimensionDraft[];
  algorithm: TuneAlgorithm;
  asha: boolean;
  budget: BudgetDraft;
  metric: TuneMetric;
  mode: 'max' | 'min';
};

export type AutoTuneProblems = {
  /** By hyperparameter name. */
  dimensions: Record<string, string[]>;
  budget: Partial<Record<keyof BudgetDraft, string>>;
  /** Problems of the space as a whole. */
  space?: string;
};

export const TUNE_METRIC_LABELS: Record<TuneMetric, string> = {
  test_accuracy: 'Test accuracy',
  test_loss: 'Test loss',
  train_accuracy: 'Training accuracy',
  train_loss: 'Training loss',
};

export const DEFAULT_BUDGET: BudgetDraft = {
  trials: '10',
  concurrency: '2',
  timeLimitMinutes: '10',
};

function isNumeric(type: string) {
  return type === 'integer' || type === 'number';
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function dimensionDraft(
  name: string,
  spec: JsonObject,
  dimension: SearchDimension | undefined,
): DimensionDraft {
  const valueType = String(spec.type ?? 'string');
  const base = {
    name,
    title: text(spec.title) || name,
    valueType,
    tuned: !!dimension,
  };
  if (dimension && dimension.type !== 'choice') {
    return {
      ...base,
      kind: 'range',
      min: text(dimension.min),
      max: text(dimension.max),
      log: dimension.type === 'loguniform',
      values: text(spec.default),
    };
  }
  if (dimension?.type === 'choice') {
    return {
      ...base,
      kind: 'choice',
      min: text(spec.minimum ?? spec.exclusiveMinimum),
      max: text(spec.maximum ?? spec.exclusiveMaximum),
      log: false,
      values: dimension.values.map(text).join(', '),
    };
  }
  // Not in the template's space: offered as the schema's range, or its default as a choice.
  return {
    ...base,
    kind:
      isNumeric(valueType) && spec.maximum !== undefined ? 'range' : 'choice',
    min: text(spec.minimum ?? spec.exclusiveMinimum),
    max: text(spec.maximum ?? spec.exclusiveMaximum),
    log: false,
    values: text(spec.default),
  };
}

/** The editor as a template starts it: its default search space, every other hyperparameter off. */
/** Whether a template's trials report once (a tabular fit), so that ASHA has nothing to stop. */
export function trialsReportOnce(template: ModelTemplate): boolean {
  return tuneTrialKind(template) === 'tabular';
}

/**
 * The editor's starting point for `template`: its default search space, ASHA where trials report
 * per epoch, and the metric the job reports (test loss for a tabular regression).
 */
export function autoTuneDraftFor(
  template: ModelTemplate,
  hyperparameters: Record<string, unknown> = {},
): AutoTuneDraft {
  const properties = template.hyperparameterSchema.properties ?? {};
  const regression = isTabularRegression(template, hyperparameters);
  return {
    dimensions: Object.entries(properties).map(([name, spec]) =>
      dimensionDraft(name, spec, template.searchSpace?.[name]),
    ),
    algorithm: 'optuna',
    asha: !trialsReportOnce(template),
    budget: DEFAULT_BUDGET,
    metric: regression ? 'test_loss' : 'test_accuracy',
    mode: regression ? 'min' : 'max',
  };
}

/** A typed number, or the text itself so that the check names it ("must be a number, got …"). */
function parseNumber(value: string): number | string {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  return trimmed !== '' && Number.isFinite(parsed) ? parsed : trimmed;
}

function parseChoice(value: string, valueType: string): JsonPrimitive {
  const trimmed = value.trim();
  if (isNumeric(valueType)) return parseNumber(trimmed);
  if (valueType === 'boolean') {
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
  }
  return trimmed;
}

export function dimensionOf(draft: DimensionDraft): SearchDimension {
  if (draft.kind === 'choice') {
    const values = draft.values
      .split(',')
      .filter(v => v.trim() !== '')
      .map(v => parseChoice(v, draft.valueType));
    return { type: 'choice', values };
  }
  let type: 'int' | 'loguniform' | 'uniform' = 'uniform';
  if (draft.valueType === 'integer') type = 'int';
  else if (draft.log) type = 'loguniform';
  // Unparsed text travels as is: the checks below and the backend name it.
  return {
    type,
    min: parseNumber(draft.min) as number,
    max: parseNumber(draft.max) as number,
  };
}

/** The `autoTune` section of the request: the whole space, and null for a default left out. */
export function autoTuneRequestFrom(
  draft: AutoTuneDraft,
  template: ModelTemplate,
): AutoTuneRequest {
  const searchSpace: Record<string, SearchDimension | null> = {};
  for (const dimension of draft.dimensions) {
    if (dimension.tuned) searchSpace[dimension.name] = dimensionOf(dimension);
    else if (template.searchSpace?.[dimension.name]) {
      searchSpace[dimension.name] = null;
    }
  }
  return {
    searchSpace,
    algorithm: draft.algorithm,
    asha: draft.asha,
    budget: {
      trials: Number(draft.budget.trials),
      concurrency: Number(draft.budget.concurrency),
      timeLimitMinutes: Number(draft.budget.timeLimitMinutes),
    },
    metric: draft.metric,
    mode: draft.mode,
  };
}

function budgetProblem(value: string, integer: boolean): string | undefined {
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number)) {
    return integer ? 'must be a whole number' : 'must be a number';
  }
  if (integer && !Number.isInteger(number)) return 'must be a whole number';
  if (integer ? number < 1 : number <= 0) {
    return integer ? 'must be at least 1' : 'must be greater than 0';
  }
  return undefined;
}

/**
 * What is wrong with the auto-tune part before it is sent, by field; the same rules as the backend
 * (`searchSpaceProblems`), which also checks the team's quota.
 */
export function autoTuneProblems(
  draft: AutoTuneDraft,
  template: ModelTemplate,
): AutoTuneProblems {
  const tuned = draft.dimensions.filter(d => d.tuned);
  const space = Object.fromEntries(tuned.map(d => [d.name, dimensionOf(d)]));
  const dimensions: Record<string, string[]> = {};
  for (const problem of searchSpaceProblems(
    template.hyperparameterSchema,
    space,
  )) {
    const field = problem.path.slice(problem.name.length).replace(/^\./, '');
    (dimensions[problem.name] ??= []).push(
      field ? `${field}: ${problem.message}` : problem.message,
    );
  }
  const budget: AutoTuneProblems['budget'] = {};
  for (const key of ['trials', 'concurrency'] as const) {
    const problem = budgetProblem(draft.budget[key], true);
    if (problem) budget[key] = problem;
  }
  const time = budgetProblem(draft.budget.timeLimitMinutes, false);
  if (time) budget.timeLimitMinutes = time;
  return {
    dimensions,
    budget,
    ...(tuned.length === 0 && {
      space: 'Tune at least one hyperparameter.',
    }),
  };
}

export function hasProblems(problems: AutoTuneProblems): boolean {
  return (
    Object.keys(problems.dimensions).length > 0 ||
    Object.keys(problems.budget).length > 0 ||
    !!problems.space
  );
}

export function defaultModeOf(metric: TuneMetric): 'max' | 'min' {
  return metric.endsWith('loss') ? 'min' : 'max';
}
