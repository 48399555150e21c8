import { JsonValue } from '@backstage/types';
import { ModelTemplate } from '@internal/backstage-plugin-experiments-common';
import { draftForTemplate, RunDraft } from '../newRun/runDraft';

/** What "Re-run with this config" carries to the New training run form (query `rerun`). */
export type RerunPrefill = {
  name?: string;
  templateId: string;
  datasetId: string;
  hyperparameters: Record<string, JsonValue>;
  seed: number;
};

export const RERUN_PARAM = 'rerun';

export function rerunQuery(prefill: RerunPrefill): string {
  return new URLSearchParams({
    [RERUN_PARAM]: JSON.stringify(prefill),
  }).toString();
}

/** The prefill in a query value, or undefined when it is missing or not one. */
export function parseRerun(value: string | null): RerunPrefill | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value);
    if (
      typeof parsed?.templateId === 'string' &&
      typeof parsed.datasetId === 'string' &&
      typeof parsed.hyperparameters === 'object' &&
      parsed.hyperparameters !== null &&
      Number.isInteger(parsed.seed)
    ) {
      return parsed as RerunPrefill;
    }
  } catch {
    // A hand-edited URL: start from the defaults.
  }
  return undefined;
}

/** The form's first draft with a trial's template, dataset, hyperparameters and seed. */
export function withRerun(
  draft: RunDraft,
  prefill: RerunPrefill | undefined,
  templates: ModelTemplate[],
): RunDraft {
  const template = templates.find(t => t.id === prefill?.templateId);
  if (!prefill || !template) return draft;
  const fresh = draftForTemplate(template, {
    name: prefill.name ?? '',
    seed: String(prefill.seed),
    datasetId: prefill.datasetId,
  });
  return {
    ...fresh,
    hyperparameters: { ...fresh.hyperparameters, ...prefill.hyperparameters },
  };
}
