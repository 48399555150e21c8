import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { experimentsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { aJob, cnnTemplate, fakeExperimentsApi } from '../../testing/fixtures';
import { renderExperimentsAt } from '../../__testUtils__/renderExperiments';
import { tinyMlpTemplate } from '../customModels/testFixtures';
import { ExperimentsRoutes } from '../ExperimentsRoutes';

async function badRequest(body: unknown): Promise<ResponseError> {
  const text = JSON.stringify(body);
  return ResponseError.fromResponse({
    status: 400,
    statusText: 'Bad Request',
    url: 'http://localhost/api/experiments/jobs',
    headers: new Map([['content-type', 'application/json']]),
    text: async () => text,
  } as unknown as Response);
}

async function renderNewRunPage(
  api: ReturnType<typeof fakeExperimentsApi>['api'],
  path = '/experiments/new',
) {
  await renderExperimentsAt(path, api);
  return screen.findByRole('spinbutton', { name: /Epochs/ });
}

const epochsField = () => screen.getByRole('spinbutton', { name: /Epochs/ });

describe('NewTrainingRunPage', () => {
  it('renders the template, datasets and a form generated from the hyperparameter schema', async () => {
    const { api } = fakeExperimentsApi();
    await renderNewRunPage(api);

    expect(epochsField()).toHaveValue(2);
    expect(screen.getByLabelText(/Learning rate/)).toHaveValue(0.001);
    expect(
      screen.getByText('How many times the model sees the whole training set.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'A small convolutional network for 28x28 grayscale images.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Task: image-classification')).toBeInTheDocument();
    expect(screen.getByLabelText('Workers')).toHaveValue(1);
    expect(screen.getByLabelText('CPUs per worker')).toHaveValue(2);

    await userEvent.click(screen.getByLabelText(/Dataset/));
    const options = within(await screen.findByRole('listbox'));
    expect(
      options.getByRole('option', { name: /MNIST — version sha256:abc123/ }),
    ).not.toHaveAttribute('aria-disabled', 'true');
    expect(
      options.getByRole('option', { name: /Iris .*not accepted/ }),
    ).toHaveAttribute('aria-disabled', 'true');
  });

  it('blocks values the schema rejects and says why at the field', async () => {
    const { api, mocks } = fakeExperimentsApi();
    await renderNewRunPage(api);

    await userEvent.clear(epochsField());
    await userEvent.type(epochsField(), '500');
    expect(await screen.findByText('must be at most 50')).toBeInTheDocument();

    const learningRate = screen.getByLabelText(/Learning rate/);
    await userEvent.clear(learningRate);
    await userEvent.type(learningRate, '0');
    expect(
      await screen.findByText('must be greater than 0'),
    ).toBeInTheDocument();

    await userEvent.clear(screen.getByLabelText('Workers'));
    await userEvent.type(screen.getByLabelText('Workers'), '0');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start training' }),
    );

    expect(
      await screen.findByText(/Some values are not valid/),
    ).toBeInTheDocument();
    expect(screen.getByText('must be at least 1')).toBeInTheDocument();
    expect(mocks.createJob).not.toHaveBeenCalled();
  });

  it('submits the run and opens the new job page', async () => {
    const { api, mocks } = fakeExperimentsApi({
      createJob: jest.fn(async () => aJob({ id: 'job-new', state: 'QUEUED' })),
      getJob: jest.fn(async () =>
        aJob({ id: 'job-new', name: 'my-first-run', state: 'QUEUED' }),
      ),
    });
    await renderNewRunPage(api);

    await userEvent.type(screen.getByLabelText('Run name'), 'my-first-run');
    await userEvent.clear(epochsField());
    await userEvent.type(epochsField(), '3');
    await userEvent.type(screen.getByLabelText('Seed'), '7');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start training' }),
    );

    await waitFor(() => expect(mocks.createJob).toHaveBeenCalledTimes(1));
    expect(mocks.createJob).toHaveBeenCalledWith({
      name: 'my-first-run',
      templateId: 'mnist-cnn',
      datasetId: 'mnist',
      hyperparameters: { epochs: 3, learning_rate: 0.001 },
      seed: 7,
      resources: { numWorkers: 1, cpusPerWorker: 2, useGpu: false },
    });
    expect(
      await screen.findByRole('heading', { name: 'my-first-run' }),
    ).toBeInTheDocument();
    expect(mocks.getJob).toHaveBeenCalledWith('job-new');
  });

  it('trains a custom model with its own hyperparameters', async () => {
    const { api, mocks } = fakeExperimentsApi({
      listTemplates: jest.fn(async () => ({
        items: [cnnTemplate, tinyMlpTemplate],
      })),
    });
    await renderNewRunPage(
      api,
      `/experiments/new?template=${encodeURIComponent(tinyMlpTemplate.id)}`,
    );

    expect(screen.getByLabelText(/Hidden units/)).toHaveValue(16);
    expect(
      screen.getByRole('checkbox', { name: /Auto-tune/ }),
    ).not.toBeDisabled();
    expect(
      screen.getByText(
        'A custom model has no default search space: pick the hyperparameters to search when you switch Auto-tune on.',
      ),
    ).toBeInTheDocument();

    await userEvent.clear(screen.getByLabelText(/Hidden units/));
    await userEvent.type(screen.getByLabelText(/Hidden units/), '32');
    await userEvent.click(
      screen.getByRole('button', { name: 'Start training' }),
    );
    await waitFor(() => expect(mocks.createJob).toHaveBeenCalledTimes(1));
    expect(mocks.createJob.mock.calls[0][0]).toMatchObject({
      templateId: 'custom:tiny-mlp@2',
      hyperparameters: { hidden: 32 },
    });
  });

  it("shows each field's message from a 400", async () => {
    const rejection = await badRequest({
      error: {
        name: 'InputError',
        message:
          'Invalid training job: hyperparameters.epochs must be at most 40 on this cluster; resources.numWorkers must be at most the 1 worker the cluster has',
      },
      response: { statusCode: 400 },
    });
    const { api, mocks } = fakeExperimentsApi({
      createJob: jest.fn(async () => {
        throw rejection;
      }),
    });
    await renderNewRunPage(api);

    await userEvent.click(
      screen.getByRole('button', { name: 'Start training' }),
    );

    expect(
      await screen.findByText('The run was not accepted'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('must be at most 40 on this cluster'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('must be at most the 1 worker the cluster has'),
    ).toBeInTheDocument();
    expect(mocks.createJob).toHaveBeenCalledTimes(1);
  });

  it('shows why templates could not be loaded', async () => {
    const { api } = fakeExperimentsApi({
      listTemplates: jest.fn(async () => {
        throw new Error('templates unavailable');
      }),
    });
    await renderInTestApp(<ExperimentsRoutes />, {
      apis: [[experimentsApiRef, api]],
      mountPath: '/experiments',
      mountedRoutes: { '/experiments': rootRouteRef },
      initialRouteEntries: ['/experiments/new'],
    });
    expect(
      await screen.findAllByText(/templates unavailable/),
    ).not.toHaveLength(0);
  });
});
