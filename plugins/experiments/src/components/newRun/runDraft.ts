import { JsonValue } from '@backstage/types';
import {
  CreateTrainingJobRequest,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';
import { defaultHyperparameters } from './hyperparameterValidation';
import { RunField } from './submissionProblems';

/** The "New training run" form as the user fills it; numbers stay text until submitted. */
export type RunDraft = {
  name: string;
  templateId: string;
  datasetId: string;
  hyperparameters: Record<string, JsonValue>;
  seed: string;
  numWorkers: string;
  cpusPerWorker: string;
  useGpu: boolean;
};

export function draftForTemplate(
  template: ModelTemplate,
  previous: Pick<RunDraft, 'name' | 'datasetId' | 'seed'>,
): RunDraft {
  return {
    ...previous,
    templateId: template.id,
    hyperparameters: defaultHyperparameters(template.hyperparameterSchema),
    numWorkers: String(template.defaultResources.numWorkers),
    cpusPerWorker: String(template.defaultResources.cpusPerWorker),
    useGpu: template.defaultResources.useGpu,
  };
}

function wholeNumberProblem(text: string, min: number, max: number) {
  if (!/^\s*-?\d+\s*$/.test(text)) return 'must be a whole number';
  const value = Number(text);
  if (value < min) return `must be at least ${min}`;
  if (value > max) return `must be at most ${max}`;
  return undefined;
}

/** Problems with the fields outside the hyperparameter schema, checked before submitting. */
export function draftProblems(
  draft: RunDraft,
): Partial<Record<RunField, string>> {
  const problems: Partial<Record<RunField, string>> = {};
  if (!draft.templateId) problems.templateId = 'pick a model template';
  if (!draft.datasetId) problems.datasetId = 'pick a dataset';
  if (draft.seed.trim() !== '') {
    const seed = wholeNumberProblem(draft.seed, 0, 2 ** 31 - 1);
    if (seed) problems.seed = seed;
  }
  const workers = wholeNumberProblem(draft.numWorkers, 1, 64);
  if (workers) problems.numWorkers = workers;
  const cpus = Number(draft.cpusPerWorker);
  if (draft.cpusPerWorker.trim() === '' || !Number.isFinite(cpus)) {
    problems.cpusPerWorker = 'must be a number';
  } else if (cpus <= 0) {
    problems.cpusPerWorker = 'must be greater than 0';
  }
  return problems;
}

export function requestFromDraft(draft: RunDraft): CreateTrainingJobRequest {
  return {
    ...(draft.name.trim() && { name: draft.name.trim() }),
    templateId: draft.templateId,
    datasetId: draft.datasetId,
    hyperparameters: draft.hyperparameters,
    ...(draft.seed.trim() !== '' && { seed: Number(draft.seed) }),
    resources: {
      numWorkers: Number(draft.numWorkers),
      cpusPerWorker: Number(draft.cpusPerWorker),
      useGpu: draft.useGpu,
    },
  };
}
