/**
 * Where a training job is in its life: queued until a worker submits it to Ray, then running until
 * Ray reports the end.
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
  /** Why the job is in its state, e.g. the error of a failed job. */
  reason?: string;
  createdAt: string;
  updatedAt: string;
  mlflowRunId?: string;
};
