import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ModelTemplate,
  TrainingJob,
} from '@internal/backstage-plugin-experiments-common';
import { requireTestService } from '@internal/mlops-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  repoRuntimePath,
  startExperimentsBackend,
} from '../__testUtils__/testBackend';
import { testJob } from '../__testUtils__/testJob';
import { resolveAutoTune } from './resolveAutoTune';
import { TrialStore } from './TrialStore';

// Starting a backend with the datasets plugin beside it takes seconds on a busy machine.
jest.setTimeout(60_000);

const mlflowUrl = requireTestService('MLOPS_TEST_MLFLOW_URL');
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const backends: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
});

async function startBackend() {
  const knex = await databases.init('SQLITE_3');
  const started = await startExperimentsBackend({
    knex,
    trackingUrl: mlflowUrl,
    experiments: {
      worker: { enabled: false },
      autoTune: {
        maxTrials: 100,
        maxConcurrency: 4,
        maxTimeLimitMinutes: 60,
        // The mock user's team has a smaller quota than the general one.
        teams: [
          {
            owner: 'group:default/team-a',
            maxTrials: 20,
            maxConcurrency: 2,
            maxTimeLimitMinutes: 30,
          },
        ],
      },
    },
  });
  backends.push(started.backend);
  return { ...started, knex };
}

/** One backend for the requests that must leave nothing behind. */
let shared: ReturnType<typeof startBackend> | undefined;
function sharedBackend() {
  shared ??= startBackend().then(started => {
    // Not stopped after each test: afterAll below stops it.
    backends.splice(backends.indexOf(started.backend), 1);
    return started;
  });
  return shared;
}
afterAll(async () => {
  await (await shared)?.backend.stop();
});

function readTemplate(id: string): ModelTemplate {
  return JSON.parse(
    readFileSync(
      path.join(repoRuntimePath, `src/mlops_runtime/templates/${id}.json`),
      'utf8',
    ),
  );
}
const cnn = readTemplate('mnist-cnn');
const hgb = readTemplate('tabular-hgb');

const tuneRequest = {
  templateId: 'mnist-cnn',
  datasetId: 'mnist',
  hyperparameters: { epochs: 2, train_samples: 2000 },
  resources: { numWorkers: 1, cpusPerWorker: 1 },
};

const tabularTuneRequest = {
  templateId: 'tabular-hgb',
  datasetId: 'iris-synthetic',
  hyperparameters: { target_column: 'species' },
};

describe('auto-tune jobs', () => {
  it('resolves the search space over the template default, the defaults and the budget, and queues the job', async () => {
    const { server, knex } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...tuneRequest,
        autoTune: {
          searchSpace: {
            dropout: { type: 'choice', values: [0.1, 0.3] },
            hidden_units: null,
            epochs: { type: 'int', min: 1, max: 3 },
          },
          budget: { trials: 12 },
        },
      })
      .expect(201);
    const job = res.body as TrainingJob;
    const expectedSpace: Record<string, unknown> = {
      ...cnn.searchSpace,
      dropout: { type: 'choice', values: [0.1, 0.3] },
      epochs: { type: 'int', min: 1, max: 3 },
    };
    delete expectedSpace.hidden_units;
    expect(job.name).toBe('Auto-tune mnist-cnn on mnist');
    expect(job.config.autoTune).toEqual({
      searchSpace: expectedSpace,
      algorithm: 'optuna',
      asha: true,
      // Trials from the request; concurrency and time limit: the defaults.
      budget: { trials: 12, concurrency: 2, timeLimitMinutes: 10 },
      metric: 'test_accuracy',
      mode: 'max',
    });
    expect(job.config.hyperparameters).toMatchObject({
      epochs: 2,
      train_samples: 2000,
    });
    expect(await knex('training_jobs').select('id', 'state')).toEqual([
      { id: job.id, state: 'QUEUED' },
    ]);

    const loss = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...tuneRequest,
        autoTune: { metric: 'test_loss', algorithm: 'grid', asha: false },
      })
      .expect(201);
    expect(loss.body.config.autoTune).toMatchObject({
      searchSpace: cnn.searchSpace,
      algorithm: 'grid',
      asha: false,
      metric: 'test_loss',
      mode: 'min',
    });
  });

  it.each([
    [
      'min > max',
      { searchSpace: { dropout: { type: 'uniform', min: 0.6, max: 0.2 } } },
      'autoTune.searchSpace.dropout: min (0.6) must be less than max (0.2)',
    ],
    [
      'empty choices',
      { searchSpace: { batch_size: { type: 'choice', values: [] } } },
      'autoTune.searchSpace.batch_size.values: must be a non-empty list',
    ],
    [
      'an unknown parameter',
      { searchSpace: { momentum: { type: 'uniform', min: 0.1, max: 0.9 } } },
      'autoTune.searchSpace.momentum: is not a hyperparameter of this template (known: batch_size, conv1_channels',
    ],
    [
      'an unknown parameter left out',
      { searchSpace: { momentum: null } },
      'autoTune.searchSpace.momentum: is not a hyperparameter of mnist-cnn',
    ],
    [
      'a range over an integer hyperparameter',
      { searchSpace: { epochs: { type: 'uniform', min: 1, max: 3 } } },
      'autoTune.searchSpace.epochs: a uniform dimension needs a number hyperparameter, this one is integer',
    ],
    [
      'a choice of the wrong type',
      { searchSpace: { batch_size: { type: 'choice', values: [64, 'big'] } } },
      'autoTune.searchSpace.batch_size.values[1]: must be an integer, got "big"',
    ],
    [
      'an unknown dimension type',
      { searchSpace: { dropout: { type: 'normal', min: 0, max: 1 } } },
      'autoTune.searchSpace.dropout.type: must be one of uniform, loguniform, int, choice, got "normal"',
    ],
    [
      'a range beyond the schema',
      {
        searchSpace: {
          learning_rate: { type: 'loguniform', min: 0.0001, max: 2 },
        },
      },
      'autoTune.searchSpace.learning_rate.max: must be <= 1, got 2',
    ],
    [
      'a choice beyond the schema',
      { searchSpace: { batch_size: { type: 'choice', values: [4, 64] } } },
      'autoTune.searchSpace.batch_size.values[0]: must be >= 8, got 4',
    ],
    [
      'too many trials for the team',
      { budget: { trials: 21 } },
      'autoTune.budget.trials: 21 is above the auto-tune quota of group:default/team-a (20 trials)',
    ],
    [
      'too many trials at once for the team',
      { budget: { concurrency: 3 } },
      'autoTune.budget.concurrency: 3 is above the auto-tune quota of group:default/team-a (2 trials at once)',
    ],
    [
      'too long for the team',
      { budget: { timeLimitMinutes: 45 } },
      'autoTune.budget.timeLimitMinutes: 45 is above the auto-tune quota of group:default/team-a (30 minutes)',
    ],
    [
      'a budget of the wrong type',
      { budget: { trials: 'ten' } },
      'autoTune.budget.trials must be integer',
    ],
    [
      'an unknown algorithm',
      { algorithm: 'bayes' },
      'autoTune.algorithm must be equal to one of the allowed values',
    ],
    ['an unknown field', { priority: 1 }, 'autoTune.priority is not allowed'],
  ])('answers 400 for %s, queueing nothing', async (_, autoTune, message) => {
    const { server, knex } = await sharedBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({ ...tuneRequest, autoTune })
      .expect(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toContain(message);
    expect(await knex('training_jobs').pluck('id')).toEqual([]);
    expect(await knex('training_job_outbox').pluck('id')).toEqual([]);
  });

  it('names every problem of a request at once', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...tuneRequest,
        hyperparameters: { epochs: 0 },
        resources: { numWorkers: 2, cpusPerWorker: 1 },
        autoTune: {
          searchSpace: {
            dropout: { type: 'uniform', min: 0.6, max: 0.2 },
            momentum: { type: 'uniform', min: 0.1, max: 0.9 },
          },
          budget: { trials: 500 },
        },
      })
      .expect(400);
    for (const problem of [
      'hyperparameters.epochs must be >= 1',
      'resources.numWorkers: auto-tune trials run on 1 worker each, got 2',
      'autoTune.searchSpace.dropout: min (0.6) must be less than max (0.2)',
      'autoTune.searchSpace.momentum: is not a hyperparameter',
      'autoTune.budget.trials: 500 is above the auto-tune quota',
    ]) {
      expect(res.body.error.message).toContain(problem);
    }
  });

  it('accepts a tabular template: its default space, ASHA off, test accuracy', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .post('/api/experiments/jobs')
      .send({
        ...tabularTuneRequest,
        autoTune: {
          searchSpace: { max_iter: { type: 'int', min: 20, max: 200 } },
          asha: true,
          budget: { trials: 6 },
        },
      })
      .expect(201);
    const job = res.body as TrainingJob;
    expect(job.name).toBe('Auto-tune tabular-hgb on iris-synthetic');
    expect(job.config.autoTune).toEqual({
      searchSpace: {
        ...hgb.searchSpace,
        max_iter: { type: 'int', min: 20, max: 200 },
      },
      algorithm: 'optuna',
      // One fit per trial: nothing for ASHA to stop between epochs.
      asha: false,
      budget: { trials: 6, concurrency: 2, timeLimitMinutes: 10 },
      metric: 'test_accuracy',
      mode: 'max',
    });
  });

  it.each([
    [
      'min > max',
      {
        searchSpace: {
          learning_rate: { type: 'loguniform', min: 0.5, max: 0.1 },
        },
      },
      'autoTune.searchSpace.learning_rate: min (0.5) must be less than max (0.1)',
    ],
    [
      'a range beyond the schema',
      { searchSpace: { max_leaf_nodes: { type: 'int', min: 1, max: 64 } } },
      'autoTune.searchSpace.max_leaf_nodes.min: must be >= 2, got 1',
    ],
    [
      'a searched data setting',
      {
        searchSpace: { test_fraction: { type: 'uniform', min: 0.1, max: 0.3 } },
      },
      "autoTune.searchSpace.test_fraction: cannot be searched; every trial uses the job's value",
    ],
  ])(
    'answers 400 for a tabular template with %s, queueing nothing',
    async (_, autoTune, message) => {
      const { server, knex } = await sharedBackend();
      const res = await request(server)
        .post('/api/experiments/jobs')
        .send({ ...tabularTuneRequest, autoTune })
        .expect(400);
      expect(res.body.error.message).toContain(message);
      expect(await knex('training_jobs').pluck('id')).toEqual([]);
    },
  );

  it("lists a job's trials, and answers 404 for an unknown job", async () => {
    const { server, store, knex } = await startBackend();
    const job = testJob('tune', 'group:default/team-a', '2026-11-27T10:00:00Z');
    await store.insertJob(job);
    await new TrialStore(knex).record(job.id, [
      {
        trialId: 'a_00000',
        state: 'SUCCEEDED',
        config: { dropout: 0.1 },
        hyperparameters: { dropout: 0.1, epochs: 1 },
        seed: 7,
        metrics: { test_accuracy: 0.97 },
        history: [
          { epoch: 1, elapsedSeconds: 12, metrics: { test_accuracy: 0.97 } },
        ],
        best: true,
        mlflowRunId: 'child-1',
      },
    ]);
    const res = await request(server)
      .get(`/api/experiments/jobs/${job.id}/trials`)
      .expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        jobId: job.id,
        trialId: 'a_00000',
        state: 'SUCCEEDED',
        config: { dropout: 0.1 },
        seed: 7,
        best: true,
        mlflowRunId: 'child-1',
      }),
    ]);
    await request(server)
      .get('/api/experiments/jobs/6a0e8c4e-0000-4000-8000-000000000000/trials')
      .expect(404);
  });
});

describe('resolveAutoTune', () => {
  const settings = {
    quota: { maxTrials: 50, maxConcurrency: 4, maxTimeLimitMinutes: 120 },
    teamQuotas: {},
    defaultBudget: { trials: 10, concurrency: 2, timeLimitMinutes: 10 },
  };
  const resolve = (
    template: ModelTemplate,
    hyperparameters: Record<string, unknown>,
    autoTuneRequest: Parameters<typeof resolveAutoTune>[0]['request'] = {},
  ) => {
    const problems: string[] = [];
    const resolved = resolveAutoTune({
      request: autoTuneRequest,
      template,
      hyperparameters,
      resources: template.defaultResources,
      owner: 'group:default/team-a',
      settings,
      problems,
    });
    return { resolved, problems };
  };

  it('optimizes test loss, lowest, for a regression job, which reports no accuracy', () => {
    const regression = resolve(hgb, { task: 'regression' });
    expect(regression.problems).toEqual([]);
    expect(regression.resolved).toMatchObject({
      metric: 'test_loss',
      mode: 'min',
      asha: false,
    });
    expect(resolve(hgb, { task: 'classification' }).resolved).toMatchObject({
      metric: 'test_accuracy',
      mode: 'max',
    });
    // Without the hyperparameters, the schema's default task (classification).
    expect(resolve(hgb, {}).resolved.metric).toBe('test_accuracy');
  });

  it('names an accuracy metric for a regression job as a problem', () => {
    const { problems } = resolve(
      hgb,
      { task: 'regression' },
      { metric: 'test_accuracy' },
    );
    expect(problems).toEqual([
      'autoTune.metric: a regression job reports no test_accuracy; use test_loss or train_loss (mean squared error)',
    ]);
  });

  it('keeps ASHA as asked for an image template', () => {
    expect(resolve(cnn, {}).resolved.asha).toBe(true);
    expect(resolve(cnn, {}, { asha: false }).resolved.asha).toBe(false);
  });

  it('refuses a template that no runtime path trains', () => {
    const custom = { ...hgb, id: 'custom-x', entrypoint: 'custom.train' };
    expect(resolve(custom, {}).problems).toContain(
      'autoTune: custom-x cannot be auto-tuned (auto-tune runs the templates that mlops_runtime.train or mlops_runtime.train_tabular trains)',
    );
  });
});
