import { InfoCard } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  CUSTOM_MODEL_TEMPLATE_PREFIX,
  ModelTemplate,
  TrainingDataset,
} from '@internal/backstage-plugin-experiments-common';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { ErrorSchema } from '@rjsf/utils';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { experimentsApiRef } from '../../api';
import { jobRouteRef, rootRouteRef } from '../../routes';
import { DatasetPicker } from './DatasetPicker';
import { HyperparameterForm } from './HyperparameterForm';
import { hyperparameterErrors } from './hyperparameterValidation';
import { RunResourcesFields } from './RunResourcesFields';
import {
  draftForTemplate,
  draftProblems,
  requestFromDraft,
  RunDraft,
} from './runDraft';
import {
  RunField,
  submissionProblems,
  SubmissionProblems,
} from './submissionProblems';
import { TEMPLATE_PARAM } from './templateParam';
import { TemplatePicker } from './TemplatePicker';
import { AutoTuneFields } from '../tune/AutoTuneFields';
import {
  AutoTuneDraft,
  autoTuneDraftFor,
  trialsReportOnce,
  autoTuneProblems,
  autoTuneRequestFrom,
  hasProblems,
} from '../tune/autoTuneDraft';
import { parseRerun, RERUN_PARAM, withRerun } from '../tune/rerun';

function firstAccepted(datasets: TrainingDataset[], template?: ModelTemplate) {
  return (
    datasets.find(d => template?.datasetFormats.includes(d.format))?.id ?? ''
  );
}

function initialDraft(
  templates: ModelTemplate[],
  datasets: TrainingDataset[],
  preselectedTemplateId: string | null,
): RunDraft {
  const template =
    templates.find(t => t.id === preselectedTemplateId) ?? templates[0];
  const previous = {
    name: '',
    seed: '',
    datasetId: firstAccepted(datasets, template),
  };
  if (template) return draftForTemplate(template, previous);
  return {
    ...previous,
    templateId: '',
    hyperparameters: {},
    numWorkers: '1',
    cpusPerWorker: '1',
    useGpu: false,
  };
}

function toErrorSchema(messages: Record<string, string[]>): ErrorSchema {
  return Object.fromEntries(
    Object.entries(messages).map(([key, errors]) => [
      key,
      { __errors: errors },
    ]),
  ) as ErrorSchema;
}

/** The "New training run" form: submits `POST /jobs` and opens the new job's page. */
export function NewTrainingRunForm(props: {
  templates: ModelTemplate[];
  datasets: TrainingDataset[];
}) {
  const { templates, datasets } = props;
  const api = useApi(experimentsApiRef);
  const navigate = useNavigate();
  const jobPath = useRouteRef(jobRouteRef);
  const listPath = useRouteRef(rootRouteRef);
  const [searchParams] = useSearchParams();
  const [draft, setDraft] = useState(() =>
    withRerun(
      initialDraft(templates, datasets, searchParams.get(TEMPLATE_PARAM)),
      parseRerun(searchParams.get(RERUN_PARAM)),
      templates,
    ),
  );
  const [tune, setTune] = useState<AutoTuneDraft>();
  const [localProblems, setLocalProblems] = useState<
    Partial<Record<RunField, string>>
  >({});
  const [blocked, setBlocked] = useState(false);
  const [rejected, setRejected] = useState<SubmissionProblems>();
  const [submitting, setSubmitting] = useState(false);
  const template = templates.find(t => t.id === draft.templateId);
  const customModel = !!template?.id.startsWith(CUSTOM_MODEL_TEMPLATE_PREFIX);
  const tuneProblems =
    tune && template ? autoTuneProblems(tune, template) : undefined;

  function update(change: Partial<RunDraft>) {
    setDraft(previous => ({ ...previous, ...change }));
    setRejected(undefined);
    setBlocked(false);
  }

  function fieldError(field: RunField): string | undefined {
    return localProblems[field] ?? rejected?.fields[field]?.join('; ');
  }

  async function submit() {
    const problems = draftProblems(draft);
    const invalidHyperparameters = template
      ? hyperparameterErrors(
          template.hyperparameterSchema,
          draft.hyperparameters,
        )
      : [];
    setLocalProblems(problems);
    if (
      Object.keys(problems).length > 0 ||
      invalidHyperparameters.length > 0 ||
      (tuneProblems && hasProblems(tuneProblems))
    ) {
      setBlocked(true);
      return;
    }
    setSubmitting(true);
    let jobId: string | undefined;
    try {
      const request = requestFromDraft(draft);
      if (tune && template) {
        request.autoTune = autoTuneRequestFrom(tune, template);
      }
      jobId = (await api.createJob(request)).id;
    } catch (e) {
      setRejected(submissionProblems(e as Error));
    }
    setSubmitting(false);
    if (jobId) {
      navigate(jobPath ? jobPath({ jobId }) : listPath?.() ?? '/');
    }
  }

  const allErrors: Record<RunField, string | undefined> = {
    name: fieldError('name'),
    templateId: fieldError('templateId'),
    datasetId: fieldError('datasetId'),
    seed: fieldError('seed'),
    numWorkers: fieldError('numWorkers'),
    cpusPerWorker: fieldError('cpusPerWorker'),
    useGpu: fieldError('useGpu'),
    cluster: fieldError('cluster'),
  };
  const resourceErrors = Object.fromEntries(
    Object.entries(allErrors).filter(([, message]) => message),
  ) as Partial<Record<RunField, string>>;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard title="What to train">
          <TextField
            fullWidth
            id="run-name"
            label="Run name"
            value={draft.name}
            disabled={submitting}
            error={!!allErrors.name}
            helperText={
              allErrors.name ?? 'Optional; named after the template when empty.'
            }
            onChange={e => update({ name: e.target.value })}
            margin="normal"
          />
          <TemplatePicker
            templates={templates}
            value={draft.templateId}
            disabled={submitting}
            error={allErrors.templateId}
            onChange={chosen => {
              setTune(previous => previous && autoTuneDraftFor(chosen));
              update(
                draftForTemplate(chosen, {
                  name: draft.name,
                  seed: draft.seed,
                  datasetId: chosen.datasetFormats.includes(
                    datasets.find(d => d.id === draft.datasetId)?.format ?? '',
                  )
                    ? draft.datasetId
                    : firstAccepted(datasets, chosen),
                }),
              );
            }}
          />
          <DatasetPicker
            datasets={datasets}
            acceptedFormats={template?.datasetFormats ?? []}
            value={draft.datasetId}
            disabled={submitting}
            error={allErrors.datasetId}
            onChange={datasetId => update({ datasetId })}
          />
        </InfoCard>
        <InfoCard title="Seed and resources">
          <RunResourcesFields
            value={draft}
            errors={resourceErrors}
            disabled={submitting}
            onChange={update}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Hyperparameters">
          {template ? (
            <HyperparameterForm
              key={template.id}
              schema={template.hyperparameterSchema}
              values={draft.hyperparameters}
              serverErrors={toErrorSchema(rejected?.hyperparameters ?? {})}
              disabled={submitting}
              onChange={hyperparameters => update({ hyperparameters })}
            />
          ) : (
            'Pick a model template to see its hyperparameters.'
          )}
        </InfoCard>
        <InfoCard title="Auto-tune">
          <FormControlLabel
            control={
              <Switch
                checked={!!tune}
                disabled={submitting || !template}
                onChange={e => {
                  setTune(
                    e.target.checked && template
                      ? autoTuneDraftFor(template, draft.hyperparameters)
                      : undefined,
                  );
                  setRejected(undefined);
                  setBlocked(false);
                }}
              />
            }
            label="Auto-tune: search the hyperparameters with Ray Tune"
          />
          {customModel && !tune && (
            <Typography variant="body2" color="textSecondary">
              A custom model has no default search space: pick the
              hyperparameters to search when you switch Auto-tune on.
            </Typography>
          )}
          {tune && tuneProblems && (
            <AutoTuneFields
              value={tune}
              earlyStopping={!trialsReportOnce(template!)}
              problems={tuneProblems}
              disabled={submitting}
              onChange={change => {
                setTune(previous => previous && { ...previous, ...change });
                setRejected(undefined);
                setBlocked(false);
              }}
            />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        {blocked && (
          <Alert severity="warning">
            Some values are not valid; fix the fields marked in red, then submit
            again.
          </Alert>
        )}
        {rejected && (
          <Alert severity="error">
            <AlertTitle>The run was not accepted</AlertTitle>
            {rejected.message}
          </Alert>
        )}
        <Button
          color="primary"
          variant="contained"
          disabled={submitting}
          onClick={submit}
          style={{ marginTop: 16 }}
        >
          {submitting && 'Submitting…'}
          {!submitting && (tune ? 'Start auto-tune' : 'Start training')}
        </Button>
      </Grid>
    </Grid>
  );
}
