import { JsonPrimitive, JsonValue } from '@backstage/types';

/**
 * One hyperparameter's dimension of an auto-tune search space: a range (uniform, on a log scale,
 * or of integers) or a list of choices. The templates' default spaces use the same shape
 * (`searchSpace` in runtime/src/mlops_runtime/templates/*.json).
 *
 * @public
 */
export type SearchDimension =
  | { type: 'uniform' | 'loguniform' | 'int'; min: number; max: number }
  | { type: 'choice'; values: JsonPrimitive[] };

/** Hyperparameter name to its dimension. @public */
export type SearchSpace = Record<string, SearchDimension>;

/** @public */
export const SEARCH_DIMENSION_TYPES = [
  'uniform',
  'loguniform',
  'int',
  'choice',
] as const;

/** Search algorithms of an auto-tune job: random, grid, Optuna TPE, HyperOpt. @public */
export const TUNE_ALGORITHMS = [
  'random',
  'grid',
  'optuna',
  'hyperopt',
] as const;

/** @public */
export type TuneAlgorithm = (typeof TUNE_ALGORITHMS)[number];

/** Per-epoch metrics a tune can optimize. @public */
export const TUNE_METRICS = [
  'test_accuracy',
  'test_loss',
  'train_accuracy',
  'train_loss',
] as const;

/** @public */
export type TuneMetric = (typeof TUNE_METRICS)[number];

/** How much an auto-tune job may spend. @public */
export type TuneBudget = {
  /** Trials at most. */
  trials: number;
  /** Trials running at once. */
  concurrency: number;
  /** The tune stops after this, trials still running included. */
  timeLimitMinutes: number;
};

/**
 * The `autoTune` section of `POST /jobs`: makes the job an auto-tune job. Omitted fields take the
 * defaults (the template's search space, Optuna TPE, ASHA on, the budget defaults, test accuracy,
 * max).
 *
 * @public
 */
export type AutoTuneRequest = {
  /** Dimensions over the template's default space; null leaves that hyperparameter out of it. */
  searchSpace?: Record<string, SearchDimension | null>;
  algorithm?: TuneAlgorithm;
  /** ASHA early stopping of trials that fall behind. */
  asha?: boolean;
  budget?: Partial<TuneBudget>;
  metric?: TuneMetric;
  mode?: 'max' | 'min';
};

/** The auto-tune section as the job runs it. @public */
export type ResolvedAutoTune = {
  searchSpace: SearchSpace;
  algorithm: TuneAlgorithm;
  asha: boolean;
  budget: TuneBudget;
  metric: TuneMetric;
  mode: 'max' | 'min';
};

/**
 * A trial's state: RUNNING, SUCCEEDED (all epochs), STOPPED (early, by ASHA or the time limit),
 * FAILED.
 *
 * @public
 */
export type TuneTrialState = 'RUNNING' | 'SUCCEEDED' | 'STOPPED' | 'FAILED';

/** One epoch a trial reported, `elapsedSeconds` after the tune started. @public */
export type TuneTrialEpoch = {
  epoch: number;
  elapsedSeconds: number;
  metrics: Record<string, number>;
};

/**
 * One trial of an auto-tune job (`GET /jobs/:id/trials`).
 *
 * @public
 */
export type TuneTrial = {
  jobId: string;
  trialId: string;
  state: TuneTrialState;
  /** The searched hyperparameters' values. */
  config: Record<string, JsonValue>;
  /** Every hyperparameter the trial trained with: re-running with these and the seed repeats it. */
  hyperparameters: Record<string, JsonValue>;
  seed: number;
  /** The last epoch's metrics. */
  metrics: Record<string, number>;
  history: TuneTrialEpoch[];
  /** The tune's best trial (so far, while it runs). */
  best: boolean;
  mlflowRunId?: string;
  error?: string;
  updatedAt: string;
};

/**
 * What an auto-tune trial of a template is, by the runtime entrypoint that trains it: epochs of
 * an image model, reported per epoch (ASHA can stop it), or one fit of a tabular pipeline,
 * reported once. Undefined for a template the runtime cannot tune.
 *
 * @public
 */
export function tuneTrialKind(template: {
  entrypoint: string;
}): 'image' | 'tabular' | undefined {
  if (template.entrypoint === 'mlops_runtime.train') return 'image';
  if (template.entrypoint === 'mlops_runtime.train_tabular') return 'tabular';
  return undefined;
}

/**
 * Hyperparameters of a tabular template that choose the data: every trial keeps the job's value,
 * so that all trials are measured on the same test rows (as the runtime's
 * `tune_tabular_trial.FIXED_HYPERPARAMETERS`).
 *
 * @public
 */
export const TABULAR_FIXED_HYPERPARAMETERS = [
  'target_column',
  'task',
  'test_fraction',
];

/**
 * Whether a tune of `template` with the job's `hyperparameters` is a tabular regression: its
 * trials report losses, no accuracy (the `task` hyperparameter, else the schema's default).
 *
 * @public
 */
export function isTabularRegression(
  template: {
    entrypoint: string;
    hyperparameterSchema: {
      properties?: Record<string, { default?: unknown }>;
    };
  },
  hyperparameters: Record<string, unknown> | undefined,
): boolean {
  const task =
    hyperparameters?.task ??
    template.hyperparameterSchema.properties?.task?.default;
  return tuneTrialKind(template) === 'tabular' && task === 'regression';
}
