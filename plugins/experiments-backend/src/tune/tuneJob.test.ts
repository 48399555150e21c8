import { TestDatabases } from '@backstage/backend-test-utils';
import {
  TrainingJob,
  TuneTrial,
} from '@internal/backstage-plugin-experiments-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { rayReadableTempDir } from '../__testUtils__/e2eRuntime';
import { startExperimentsBackend, waitFor } from '../__testUtils__/testBackend';

// A real Ray head and MLflow server, started by the test command (scripts/test.sh).
const rayUrl = process.env.MLOPS_TEST_RAY_URL;
const rayToken = process.env.MLOPS_TEST_RAY_TOKEN;
const mlflowUrl = process.env.MLOPS_TEST_MLFLOW_URL;
const haveServices = Boolean(rayUrl && rayToken && mlflowUrl);
if (!haveServices) {
  // eslint-disable-next-line no-console
  console.warn(
    'Skipping the end-to-end tune job test: MLOPS_TEST_RAY_URL, MLOPS_TEST_RAY_TOKEN and MLOPS_TEST_MLFLOW_URL must name a running Ray head (its token) and MLflow server; scripts/test.sh sets them.',
  );
}

/**
 * A stand-in for `python -m mlops_runtime.tune` that prints the lines the real one prints for
 * three trials, a few seconds apart, from the autoTune section it was given.
 */
const FAKE_TUNE = `
import json, os, time

config = json.loads(os.environ["MLOPS_JOB_CONFIG"])
auto = config["autoTune"]
print("tuning", sorted(auto["searchSpace"]), auto["algorithm"], auto["budget"]["trials"], flush=True)


def emit(kind, **fields):
    print(json.dumps({"kind": "mlops." + kind, **fields}), flush=True)


trials = [("t_00000", 0.1, [0.90, 0.95]), ("t_00001", 0.3, [0.92, 0.97]), ("t_00002", 0.5, [0.80])]
for trial_id, dropout, accuracies in trials:
    searched = {"dropout": dropout}
    common = dict(
        trialId=trial_id,
        config=searched,
        hyperparameters={**config["hyperparameters"], **searched},
        seed=config["seed"],
        mlflowRunId="run-" + trial_id,
    )
    emit("trial", state="RUNNING", epoch=0, metrics={}, elapsedSeconds=0, **common)
    for epoch, accuracy in enumerate(accuracies, 1):
        metrics = {"test_accuracy": accuracy}
        emit("trial", state="RUNNING", epoch=epoch, metrics=metrics, elapsedSeconds=epoch, **common)
    end = "SUCCEEDED" if len(accuracies) == 2 else "STOPPED"
    emit("trial", state=end, epoch=len(accuracies), metrics=metrics, elapsedSeconds=3, **common)
    time.sleep(config["hyperparameters"]["seconds"])
emit("result", bestTrialId="t_00001", registeredModel={"name": config["modelName"], "version": "1"})
`;

async function createTuneRuntime(): Promise<string> {
  const root = await rayReadableTempDir('mlops-tune-runtime-');
  const pkg = path.join(root, 'src', 'mlops_runtime');
  await fs.mkdir(path.join(pkg, 'templates'), { recursive: true });
  await fs.writeFile(path.join(pkg, '__init__.py'), '__version__ = "9.8.7"\n');
  await fs.writeFile(path.join(pkg, 'tune.py'), FAKE_TUNE);
  // The same fake tune for a template of each runtime path: the worker submits the tune
  // entrypoint whichever path trains the template.
  const templates = [
    {
      id: 'e2e-tune',
      task: 'image-classification',
      datasetFormats: ['idx'],
      entrypoint: 'mlops_runtime.train',
    },
    {
      id: 'e2e-tune-table',
      task: 'tabular-classification',
      datasetFormats: ['csv'],
      entrypoint: 'mlops_runtime.train_tabular',
    },
  ];
  for (const template of templates) {
    await fs.writeFile(
      path.join(pkg, 'templates', `${template.id}.json`),
      JSON.stringify({
        ...template,
        version: '1.0.0',
        title: 'End-to-end tune',
        description: 'Prints the lines a tune job prints; no training.',
        hyperparameterSchema: {
          type: 'object',
          properties: {
            dropout: {
              type: 'number',
              minimum: 0,
              maximum: 0.9,
              default: 0.25,
            },
            seconds: { type: 'number', minimum: 0, maximum: 60, default: 0 },
          },
        },
        searchSpace: { dropout: { type: 'choice', values: [0.1, 0.3, 0.5] } },
        defaultResources: { numWorkers: 1, cpusPerWorker: 0.1, useGpu: false },
      }),
    );
  }
  return root;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const JOB_TIMEOUT_MS = 90_000;
let runtimePath: string;
const backends: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  runtimePath = await createTuneRuntime();
});
afterAll(async () => {
  await fs.rm(runtimePath, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map(b => b.stop()));
});

(haveServices ? describe : describe.skip)(
  'auto-tune jobs on a real Ray cluster',
  () => {
    it.each([
      ['an image', 'e2e-tune', 'mnist', 'optuna'],
      ['a tabular', 'e2e-tune-table', 'iris-synthetic', 'random'],
    ])(
      'submits the tune entrypoint for %s template with the resolved section and stores the trials as they come',
      async (_, templateId, datasetId, algorithm) => {
        const started = await startExperimentsBackend({
          knex: await databases.init('SQLITE_3'),
          trackingUrl: mlflowUrl!,
          rayClusters: [
            {
              name: 'local',
              title: 'Local',
              owner: 'group:default/team-a',
              driver: 'local',
              dashboardUrl: rayUrl!,
              token: rayToken,
            },
          ],
          experiments: { runtimePath, reconcileIntervalMs: 300 },
        });
        backends.push(started.backend);
        const { server } = started;
        const created = await request(server)
          .post('/api/experiments/jobs')
          .send({
            templateId,
            datasetId,
            hyperparameters: { seconds: 3 },
            autoTune: { algorithm, budget: { trials: 3 } },
          })
          .expect(201);
        const id: string = created.body.id;
        const trialsOf = async (): Promise<TuneTrial[]> =>
          (
            await request(server)
              .get(`/api/experiments/jobs/${id}/trials`)
              .expect(200)
          ).body.items;
        const jobOf = async (): Promise<TrainingJob> =>
          (await request(server).get(`/api/experiments/jobs/${id}`).expect(200))
            .body;

        // Live: the first trial is stored while the tune still runs.
        const early = await waitFor(
          'the first trial while the tune runs',
          async () => {
            const [trials, job] = await Promise.all([trialsOf(), jobOf()]);
            return trials.length > 0 && job.state === 'RUNNING' && trials;
          },
          JOB_TIMEOUT_MS,
        );
        expect(early[0].trialId).toBe('t_00000');

        const job = await waitFor(
          'the tune to end',
          async () => {
            const current = await jobOf();
            return ['SUCCEEDED', 'FAILED'].includes(current.state) && current;
          },
          JOB_TIMEOUT_MS,
        );
        expect(job.state).toBe('SUCCEEDED');
        expect(job.registeredModel).toEqual({
          name: job.config.modelName,
          version: '1',
        });
        const logs = await request(server)
          .get(`/api/experiments/jobs/${id}/logs`)
          .expect(200);
        expect(logs.body.text).toContain(`tuning ['dropout'] ${algorithm} 3`);

        const trials = await trialsOf();
        expect(
          trials.map(t => [t.trialId, t.state, t.best, t.history.length]),
        ).toEqual([
          ['t_00000', 'SUCCEEDED', false, 2],
          ['t_00001', 'SUCCEEDED', true, 2],
          ['t_00002', 'STOPPED', false, 1],
        ]);
        expect(trials[1]).toMatchObject({
          jobId: id,
          config: { dropout: 0.3 },
          hyperparameters: { dropout: 0.3, seconds: 3 },
          seed: job.config.seed,
          metrics: { test_accuracy: 0.97 },
          mlflowRunId: 'run-t_00001',
        });
      },
      JOB_TIMEOUT_MS * 2,
    );
  },
);
