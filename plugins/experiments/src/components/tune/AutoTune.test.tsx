import {
  ResolvedAutoTune,
  TuneTrial,
} from '@internal/backstage-plugin-experiments-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  aJob,
  fakeExperimentsApi,
  irisCsv,
  mnist,
} from '../../testing/fixtures';
import { renderExperimentsAt } from '../../__testUtils__/renderExperiments';
import { rerunQuery } from './rerun';
import { tabularRegressionTemplate, tunableTemplate } from './testTemplates';

// Typing into the whole New training run form is slow on a busy 2-core machine.
jest.setTimeout(120_000);

const JOB_ID = '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e';

function tuneApi(overrides: Parameters<typeof fakeExperimentsApi>[0] = {}) {
  return fakeExperimentsApi({
    listTemplates: jest.fn(async () => ({ items: [tunableTemplate] })),
    listDatasets: jest.fn(async () => ({ items: [mnist] })),
    ...overrides,
  });
}

const autoTune: ResolvedAutoTune = {
  searchSpace: {
    learning_rate: { type: 'loguniform', min: 0.0003, max: 0.01 },
    dropout: { type: 'choice', values: [0.1, 0.25, 0.5] },
  },
  algorithm: 'optuna',
  asha: true,
  budget: { trials: 4, concurrency: 2, timeLimitMinutes: 10 },
  metric: 'test_accuracy',
  mode: 'max',
};

function trial(
  trialId: string,
  state: TuneTrial['state'],
  config: { learning_rate: number; dropout: number },
  accuracies: number[],
  best = false,
): TuneTrial {
  return {
    jobId: JOB_ID,
    trialId,
    state,
    config,
    hyperparameters: { epochs: 2, ...config },
    seed: 42,
    metrics: accuracies.length
      ? { test_accuracy: accuracies[accuracies.length - 1] }
      : {},
    history: accuracies.map((a, i) => ({
      epoch: i + 1,
      elapsedSeconds: 60 * (i + 1) + (best ? 5 : 0),
      metrics: { test_accuracy: a },
    })),
    best,
    updatedAt: '2026-11-27T10:05:00.000Z',
  };
}

describe('auto-tune in the New training run form', () => {
  async function openEditor() {
    await userEvent.click(
      await screen.findByLabelText(/Auto-tune: search the hyperparameters/),
    );
    return within(screen.getByRole('table', { name: 'Search space' }));
  }

  it('reveals the search space editor with the template defaults and checks it while typing', async () => {
    const { api, mocks } = tuneApi();
    await renderExperimentsAt('/experiments/new', api);
    const editor = await openEditor();
    expect(editor.getByLabelText('Learning rate min')).toHaveValue('0.0003');
    expect(editor.getByLabelText('Learning rate max')).toHaveValue('0.01');
    expect(editor.getByLabelText('Dropout choices')).toHaveValue(
      '0.1, 0.25, 0.5',
    );
    expect(editor.getByLabelText('Tune Epochs')).not.toBeChecked();

    const min = editor.getByLabelText('Learning rate min');
    await userEvent.clear(min);
    await userEvent.type(min, '0.1');
    expect(
      await editor.findByText('min (0.1) must be less than max (0.01)'),
    ).toBeInTheDocument();
    await userEvent.clear(editor.getByLabelText('Dropout choices'));
    expect(
      await editor.findByText('values: must be a non-empty list'),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Start auto-tune' }),
    );
    expect(
      await screen.findByText(/Some values are not valid/),
    ).toBeInTheDocument();
    expect(mocks.createJob).not.toHaveBeenCalled();
  });

  it('submits the tune with the edited search space and budget', async () => {
    const { api, mocks } = tuneApi({
      createJob: jest.fn(async () => aJob({ id: 'tune-1', state: 'QUEUED' })),
    });
    await renderExperimentsAt('/experiments/new', api);
    const editor = await openEditor();

    await userEvent.clear(editor.getByLabelText('Learning rate min'));
    await userEvent.type(editor.getByLabelText('Learning rate min'), '0.001');
    await userEvent.clear(editor.getByLabelText('Dropout choices'));
    await userEvent.type(editor.getByLabelText('Dropout choices'), '0.2,0.4');
    await userEvent.click(editor.getByLabelText('Tune Epochs'));
    await userEvent.clear(screen.getByLabelText('Trials'));
    await userEvent.type(screen.getByLabelText('Trials'), '6');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start auto-tune' }),
    );

    await waitFor(() => expect(mocks.createJob).toHaveBeenCalledTimes(1));
    expect(mocks.createJob.mock.calls[0][0].autoTune).toEqual({
      searchSpace: {
        epochs: { type: 'int', min: 1, max: 50 },
        learning_rate: { type: 'loguniform', min: 0.001, max: 0.01 },
        dropout: { type: 'choice', values: [0.2, 0.4] },
      },
      algorithm: 'optuna',
      asha: true,
      budget: { trials: 6, concurrency: 2, timeLimitMinutes: 10 },
      metric: 'test_accuracy',
      mode: 'max',
    });
  });

  it('tunes a tabular regression for test loss, without ASHA (one report per trial)', async () => {
    const { api, mocks } = fakeExperimentsApi({
      listTemplates: jest.fn(async () => ({
        items: [tabularRegressionTemplate],
      })),
      listDatasets: jest.fn(async () => ({ items: [irisCsv] })),
      createJob: jest.fn(async () => aJob({ id: 'tune-2', state: 'QUEUED' })),
    });
    await renderExperimentsAt('/experiments/new', api);
    await openEditor();
    const asha = screen.getByRole('checkbox', {
      name: 'Stop weak trials early (ASHA)',
    });
    expect(asha).not.toBeChecked();
    expect(asha).toBeDisabled();
    expect(
      screen.getByText(/Each trial of this template is one fit/),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', { name: 'Start auto-tune' }),
    );
    await waitFor(() => expect(mocks.createJob).toHaveBeenCalledTimes(1));
    expect(mocks.createJob.mock.calls[0][0].autoTune).toMatchObject({
      searchSpace: {
        learning_rate: { type: 'loguniform', min: 0.01, max: 0.3 },
      },
      asha: false,
      metric: 'test_loss',
      mode: 'min',
    });
  });

  it("pre-fills the form with a trial's configuration and seed", async () => {
    const { api } = tuneApi();
    const query = rerunQuery({
      name: 'tune, trial t_00002',
      templateId: tunableTemplate.id,
      datasetId: 'mnist',
      hyperparameters: { epochs: 7, learning_rate: 0.004, dropout: 0.1 },
      seed: 1234,
    });
    await renderExperimentsAt(`/experiments/new?${query}`, api);

    expect(
      await screen.findByRole('spinbutton', { name: /Epochs/ }),
    ).toHaveValue(7);
    expect(screen.getByLabelText(/Learning rate/)).toHaveValue(0.004);
    expect(screen.getByLabelText('Seed')).toHaveValue('1234');
    expect(screen.getByLabelText('Run name')).toHaveValue(
      'tune, trial t_00002',
    );
  });
});

describe('auto-tune job page', () => {
  it('shows the trials live: table with re-run links, parallel coordinates and best so far', async () => {
    const trials = [
      trial(
        't_00000',
        'SUCCEEDED',
        { learning_rate: 0.001, dropout: 0.25 },
        [0.985, 0.991],
        true,
      ),
      trial('t_00001', 'STOPPED', { learning_rate: 0.008, dropout: 0.5 }, [
        0.97,
      ]),
      trial('t_00002', 'RUNNING', { learning_rate: 0.0004, dropout: 0.1 }, []),
    ];
    const { api, mocks } = tuneApi({
      getJob: jest.fn(async () =>
        aJob({
          name: 'Auto-tune mnist-cnn on mnist',
          config: { ...aJob().config, autoTune },
        }),
      ),
      getJobTrials: jest.fn(async () => ({ items: trials })),
    });
    await renderExperimentsAt(`/experiments/jobs/${JOB_ID}`, api);

    const table = within(await screen.findByRole('table', { name: 'Trials' }));
    expect(mocks.getJobTrials).toHaveBeenCalledWith(JOB_ID);
    const rows = table.getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[1].textContent),
    ).toEqual(['SUCCEEDED', 'STOPPED', 'RUNNING']);
    expect(within(rows[0]).getByLabelText('best trial')).toBeInTheDocument();
    expect(within(rows[0]).getByText('99.10%')).toBeInTheDocument();
    expect(within(rows[1]).getByText('97.00%')).toBeInTheDocument();
    expect(
      screen.getByText('3 of 4 trials; best: t_00000 at 99.10%'),
    ).toBeInTheDocument();

    const rerun = within(rows[1]).getByRole('button', {
      name: 'Re-run trial t_00001 with this config',
    });
    const href = new URL(rerun.getAttribute('href')!, 'http://localhost');
    expect(href.pathname).toBe('/experiments/new');
    expect(JSON.parse(href.searchParams.get('rerun')!)).toEqual({
      name: 'Auto-tune mnist-cnn on mnist, trial t_00001',
      templateId: 'mnist-cnn',
      datasetId: 'mnist',
      hyperparameters: { epochs: 2, learning_rate: 0.008, dropout: 0.5 },
      seed: 42,
    });

    expect(
      screen.getByRole('img', { name: 'Parallel coordinates of the trials' }),
    ).toBeInTheDocument();
    // Two finished epochs' lines reach the metric axis; the running trial has none yet.
    const best = screen.getByTestId('trial-line-t_00000');
    expect(best.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(
      screen
        .getByTestId('trial-line-t_00002')
        .getAttribute('points')!
        .split(' '),
    ).toHaveLength(2);
    expect(
      screen.getByRole('figure', { name: 'Best test accuracy so far' }),
    ).toBeInTheDocument();
  });

  it('says when a tune has no trials yet', async () => {
    const { api } = tuneApi({
      getJob: jest.fn(async () =>
        aJob({ state: 'STARTING', config: { ...aJob().config, autoTune } }),
      ),
      getJobTrials: jest.fn(async () => ({ items: [] })),
    });
    await renderExperimentsAt(`/experiments/jobs/${JOB_ID}`, api);
    expect(await screen.findByText('No trials yet')).toBeInTheDocument();
    expect(
      screen.getByText('Trials appear as Ray Tune starts them.'),
    ).toBeInTheDocument();
  });
});
