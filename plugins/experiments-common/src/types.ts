import { JsonObject, JsonValue } from '@backstage/types';
import { AutoTuneRequest, ResolvedAutoTune, SearchSpace } from './tune';

/**
 * Where a training job is in its life: queued until a worker submits it to Ray, starting while Ray
 * sets it up, running until Ray reports the end.
 *
 * @public
 */
export type TrainingJobState =
  | 'QUEUED'
  | 'STARTING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELLED';

/** States a job never leaves. @public */
export const TERMINAL_JOB_STATES: readonly TrainingJobState[] = [
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
];

/**
 * A hyperparameter JSON Schema: an object schema whose properties carry type, range, default and a
 * plain-language description.
 *
 * @public
 */
export type HyperparameterSchema = JsonObject & {
  type: 'object';
  properties: Record<string, JsonObject>;
};

/**
 * Resources one training run asks for.
 *
 * @public
 */
export type TrainingResources = {
  /** Ray Train workers. */
  numWorkers: number;
  cpusPerWorker: number;
  /** One GPU per worker when true. */
  useGpu: boolean;
};

/**
 * A model template: what it trains on, the code it runs and the knobs it exposes.
 *
 * @public
 */
export type ModelTemplate = {
  id: string;
  version: string;
  title: string;
  description: string;
  task:
    | 'image-classification'
    | 'tabular-classification'
    | 'tabular-regression';
  /** Dataset formats the template accepts, e.g. ["idx"]. */
  datasetFormats: string[];
  /** Python module run inside Ray, e.g. "mlops_runtime.train". */
  entrypoint: string;
  hyperparameterSchema: HyperparameterSchema;
  /** The default auto-tune search space. */
  searchSpace?: SearchSpace;
  defaultResources: TrainingResources;
};

/**
 * A dataset a job can train on (a dataset of the datasets plugin), with the version a new job
 * pins by default: its latest.
 *
 * @public
 */
export type TrainingDataset = {
  id: string;
  title: string;
  format: string;
  /** The latest version. */
  version: string;
  /** The dataset's name in the datasets plugin, e.g. "mnist". */
  name?: string;
  /** Entity ref of the owning team. */
  owner?: string;
  description?: string;
};

/**
 * The dataset version a job is pinned to.
 *
 * @public
 */
export type JobDataset = {
  /** Id of the dataset in the datasets plugin. */
  id: string;
  /** Immutable version id (the SHA-256 of its manifest in the datasets plugin). */
  version: string;
  format: string;
  name?: string;
  /**
   * SHA-256 over the [name, size, sha256] of the version's files, sorted by name: what the
   * runtime checks the files it is given against.
   */
  manifestSha256?: string;
  fileCount?: number;
  totalBytes?: number;
};

/**
 * Everything a job runs with, resolved at submission and never changed afterwards.
 *
 * @public
 */
export type ResolvedJobConfig = {
  template: { id: string; version: string };
  dataset: JobDataset;
  /** Every hyperparameter of the template's schema: the user's values over the defaults. */
  hyperparameters: Record<string, JsonValue>;
  seed: number;
  resources: TrainingResources;
  /** Name of the Ray cluster the job runs on. */
  cluster: string;
  /** Version of the portal's Python runtime (runtime/). */
  runtimeVersion: string;
  /** Registered model name in MLflow. */
  modelName: string;
  /** Present for an auto-tune job. */
  autoTune?: ResolvedAutoTune;
  /** Present when the template is a custom model version: the exact module trained. */
  customModel?: {
    name: string;
    version: number;
    sha256: string;
    /** The team owning the model (absent in jobs stored before names were per team). */
    owner?: string;
  };
};

/**
 * A training or tuning run as the portal shows it.
 *
 * @public
 */
export type TrainingJob = {
  id: string;
  name: string;
  /** Entity ref of the owning team, e.g. "group:default/data-science". */
  owner: string;
  /** Entity ref of the ML project (a System) the job belongs to. */
  project?: string;
  state: TrainingJobState;
  /** Why the job is in its state, in words a user understands, e.g. "dataset not found". */
  reason?: string;
  /** Deliveries to a worker so far. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  config: ResolvedJobConfig;
  /** Ray's submission id; equals the job id. */
  raySubmissionId?: string;
  rayJobId?: string;
  mlflowExperimentId?: string;
  mlflowRunId?: string;
  registeredModel?: { name: string; version: string };
  links: { mlflowRun?: string; rayDashboard?: string };
};

/**
 * The body of `POST /jobs`.
 *
 * @public
 */
export type CreateTrainingJobRequest = {
  name?: string;
  templateId: string;
  /** Id of a dataset of the datasets plugin, or its name where the caller sees one by that name. */
  datasetId: string;
  /** A version of the dataset; default its latest. */
  datasetVersion?: string;
  /** Omitted keys take the template's defaults. */
  hyperparameters?: Record<string, JsonValue>;
  seed?: number;
  cluster?: string;
  resources?: Partial<TrainingResources>;
  /** Entity ref of the owning team; defaults to the caller's first group. */
  owner?: string;
  project?: string;
  /** Makes the job an auto-tune job: a search over the hyperparameters. */
  autoTune?: AutoTuneRequest;
};

/**
 * Which jobs `GET /jobs` lists: those that trained on a dataset, or on one version of it.
 *
 * @public
 */
export type JobListFilter = {
  datasetId?: string;
  /** Only with datasetId. */
  datasetVersion?: string;
};

/**
 * One metric over a job's epochs (from MLflow), e.g. train_loss or val_accuracy.
 *
 * @public
 */
export type MetricSeries = {
  key: string;
  points: Array<{ step: number; value: number; timestamp: number }>;
};

/**
 * The job's log from Ray, from a byte offset, so the UI can follow it.
 *
 * @public
 */
export type JobLogChunk = {
  text: string;
  /** Pass as `offset` to get what comes after. */
  nextOffset: number;
};
